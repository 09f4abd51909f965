package dev.tcc.runtime;

import dev.tcc.runtime.model.TccSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcc.api.TccException;
import dev.tcc.api.operations.BranchState;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.support.Durations;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SettingsAndStatesTests {

    @Test
    void durationsAcceptShortUnitsAndIso8601() {
        assertThat(Durations.parse("15m", null, "hold")).isEqualTo(Duration.ofMinutes(15));
        assertThat(Durations.parse("PT15M", null, "hold")).isEqualTo(Duration.ofMinutes(15));
        assertThat(Durations.parse("500ms", null, "hold")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("", Duration.ofSeconds(3), "hold")).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void aBadDurationNamesWhereItCameFromAndTheValue() {
        assertThatThrownBy(() -> Durations.parse("fifteen", null, "@Try(hold) of SeatService.holdSeats"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("@Try(hold) of SeatService.holdSeats")
                .hasMessageContaining("[fifteen]");
        assertThatThrownBy(() -> Durations.parse("0s", null, "timeout")).hasMessageContaining("must be positive");
    }

    @Test
    void invalidSettingsAreRefusedWithThePropertyNameAndValue() {
        assertThatThrownBy(() -> TccSettings.builder().retryMaxAttempts(0))
                .hasMessage("tcc.retry.max-attempts must be at least 1 but was [0]");
        assertThatThrownBy(() -> TccSettings.builder().recoveryInterval(Duration.ZERO))
                .hasMessageContaining("tcc.recovery.interval must be positive");
        assertThatThrownBy(() -> TccSettings.builder().coordinatorUnreachableAfter(Duration.ofSeconds(-1)))
                .hasMessage("tcc.recovery.coordinator-unreachable-after must not be negative but was [PT-1S]");
        assertThat(TccSettings.defaults().recovery().coordinatorUnreachableAfter()).isEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() -> TccSettings.builder().safetyMargin(Duration.ofMinutes(20)).build())
                .hasMessageContaining("tcc.hold.safety-margin");
    }

    @Test
    void transactionStatesListEveryLegalTransition() {
        assertThat(TransactionState.TRYING.canBecome(TransactionState.CONFIRMING)).isTrue();
        assertThat(TransactionState.CONFIRMING.canBecome(TransactionState.CANCELLING)).isFalse();
        assertThat(TransactionState.CANCELLING.canBecome(TransactionState.CONFIRMED)).isFalse();
        assertThat(TransactionState.FAILED.canBecome(TransactionState.CONFIRMING)).isTrue();
        assertThat(TransactionState.CONFIRMED.isFinal()).isTrue();
        assertThat(TransactionState.fromCode("HEURISTIC")).isEqualTo(TransactionState.HEURISTIC);
        // an operator's force-finish moves a FAILED transaction only to a final state the table lists
        assertThat(TransactionState.FAILED.successors()).contains(TransactionState.CONFIRMED, TransactionState.CANCELLED,
                TransactionState.HEURISTIC);
    }

    @Test
    void statesAreStoredByLiteralCodesThatUnknownCodesDoNotParse() {
        // the stored codes are data: these literals never change when a constant is renamed
        assertThat(Arrays.stream(TransactionState.values()).map(TransactionState::code))
                .containsExactly("TRYING", "CONFIRMING", "CONFIRMED", "CANCELLING", "CANCELLED", "FAILED", "HEURISTIC");
        assertThat(Arrays.stream(BranchState.values()).map(BranchState::code))
                .containsExactly("TRIED", "CONFIRMED", "CANCELLED", "REFUSED");
        for (TransactionState state : TransactionState.values()) {
            assertThat(TransactionState.fromCode(state.code())).isSameAs(state);
        }
        for (BranchState state : BranchState.values()) {
            assertThat(BranchState.fromCode(state.code())).isSameAs(state);
        }
        assertThatThrownBy(() -> TransactionState.fromCode("DONE")).isInstanceOf(TccException.class)
                .hasMessageContaining("Unknown transaction state code [DONE]");
        assertThatThrownBy(() -> BranchState.fromCode("tried")).isInstanceOf(TccException.class)
                .hasMessageContaining("Unknown branch state code [tried]");
    }
}
