package dev.tcc.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemoteBranchTests {

    private static final Instant HOLD = Instant.parse("2026-12-03T10:15:30Z");

    @Test
    void aPlainBranchReadsAsDocumented() {
        RemoteBranch branch = new RemoteBranch(7, "holdSeats", "http://flights:8080/tcc/participant", HOLD);

        assertThat(branch.encode()).isEqualTo("7;action=holdSeats;participant=http://flights:8080/tcc/participant;hold=2026-12-03T10:15:30Z");
        assertThat(RemoteBranch.parse(branch.encode())).isEqualTo(branch);
    }

    @Test
    void awkwardCharactersRoundTrip() {
        RemoteBranch branch = new RemoteBranch(2147483647, "a;b=c,d%e \"f\" ü+g",
                "https://h/tcc/p?x=1;y=2,z=%41", Instant.parse("2026-12-03T10:15:30.123456789Z"));

        String value = branch.encode();
        assertThat(value).doesNotContain(",", " ", "\"").contains("%3B", "%3D", "%2C", "%25");
        assertThat(value.chars().allMatch(c -> c > 0x20 && c < 0x7F)).isTrue();
        assertThat(value.split(";")).hasSize(4);
        assertThat(RemoteBranch.parse(value)).isEqualTo(branch);
    }

    @Test
    void parametersInAnyOrderAndUnknownOnesAreAccepted() {
        assertThat(RemoteBranch.parse("3;hold=2026-12-03T10:15:30Z;future=1;participant=/tcc/participant;action=x"))
                .isEqualTo(new RemoteBranch(3, "x", "/tcc/participant", HOLD));
    }

    @Test
    void valuesJoinedByAnIntermediaryAreSplitAgain() {
        String a = new RemoteBranch(3, "a,b", "/p", HOLD).encode();
        String b = new RemoteBranch(4, "c", "/p", HOLD).encode();

        assertThat(RemoteBranch.splitValues(List.of(a + ", " + b))).containsExactly(a, b);
    }

    @Test
    void malformedValuesSayWhatIsWrong() {
        String ok = ";action=a;participant=/p;hold=2026-12-03T10:15:30Z";
        assertThatThrownBy(() -> RemoteBranch.parse("x" + ok)).hasMessageContaining("branch id");
        assertThatThrownBy(() -> RemoteBranch.parse("0" + ok)).hasMessageContaining("branch id");
        assertThatThrownBy(() -> RemoteBranch.parse("-1" + ok)).hasMessageContaining("branch id");
        assertThatThrownBy(() -> RemoteBranch.parse("3000000000" + ok)).hasMessageContaining("2147483647");
        assertThatThrownBy(() -> RemoteBranch.parse("1;participant=/p;hold=2026-12-03T10:15:30Z")).hasMessageContaining("'action'");
        assertThatThrownBy(() -> RemoteBranch.parse("1;action=a;action=b;participant=/p;hold=2026-12-03T10:15:30Z"))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> RemoteBranch.parse("1;action=a;participant=/p;hold=tomorrow")).hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> RemoteBranch.parse("1;action=a%2;participant=/p;hold=2026-12-03T10:15:30Z"))
                .hasMessageContaining("'action'");
        assertThatThrownBy(() -> RemoteBranch.parse("1;action=a%zz;participant=/p;hold=2026-12-03T10:15:30Z"))
                .hasMessageContaining("percent escape");
        assertThatThrownBy(() -> RemoteBranch.parse("1;=a" + ok)).hasMessageContaining("without a name");
        assertThatThrownBy(() -> RemoteBranch.parse(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
