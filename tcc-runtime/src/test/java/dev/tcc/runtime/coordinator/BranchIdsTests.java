package dev.tcc.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcc.api.TryRefusedException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Branch ids across services and nesting (docs/protocol.md, "Branch ids"). */
class BranchIdsTests {

    @Test
    void localTriesCountFromTheBottomAndCallsTakeBlocksFromTheTop() {
        BranchIds ids = new BranchIds("x", 1, Integer.MAX_VALUE);
        assertThat(ids.nextLocal()).isEqualTo(1);
        CallBlock call = ids.nextCall();
        assertThat(call.lastId()).isEqualTo(Integer.MAX_VALUE);
        assertThat(call.own()).isEqualTo(Integer.MAX_VALUE - Integer.MAX_VALUE / 256 + 1);
        assertThat(ids.nextLocal()).isEqualTo(2);
        CallBlock second = ids.nextCall();
        assertThat(second.lastId()).isEqualTo(call.own() - 1);
    }

    @Test
    void idsStayUniqueFourServicesDeepAndTheFourthCannotCallFurther() {
        Set<Integer> seen = new HashSet<>();
        BranchIds level = new BranchIds("x", 1, Integer.MAX_VALUE);
        for (int depth = 1; depth <= 3; depth++) {
            for (int i = 0; i < 3; i++) {
                assertThat(seen.add(level.nextLocal())).isTrue();
            }
            CallBlock call = level.nextCall();
            assertThat(seen.add(call.own())).isTrue();
            level = new BranchIds("x", call.rangeFirst(), call.lastId());
        }
        BranchIds fourth = level; // 126 ids
        assertThat(seen.add(fourth.nextLocal())).isTrue(); // tries still fit
        assertThatThrownBy(fourth::nextCall).isInstanceOf(TryRefusedException.class).hasMessageContaining("exhausted");
    }

    @Test
    void aRangeUsedUpByTriesAndCallsRefusesTheNextOneAndNeverReusesAnId() {
        BranchIds ids = new BranchIds("x", 1000, 1000 + 256 * 2 - 1); // blocks of two ids
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 255; i++) {
            CallBlock call = ids.nextCall();
            assertThat(seen.add(call.own()) && seen.add(call.lastId())).isTrue();
        }
        assertThat(seen.add(ids.nextLocal())).isTrue();
        assertThat(seen.add(ids.nextLocal())).isTrue();
        assertThatThrownBy(ids::nextLocal).isInstanceOf(TryRefusedException.class);
        assertThatThrownBy(ids::nextCall).isInstanceOf(TryRefusedException.class);
    }
}
