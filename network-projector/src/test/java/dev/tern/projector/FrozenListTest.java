package dev.tern.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FrozenListTest {

    @Test
    void allButLeavesOutExactlyOneElementAndComparesLikeAnyList() {
        Object[] shared = {"a", "b", "c", "d"};
        List<String> withoutB = FrozenList.allBut(shared, 1);
        assertThat(withoutB).containsExactly("a", "c", "d");
        assertThat(FrozenList.<String>allBut(shared, 0)).containsExactly("b", "c", "d");
        assertThat(FrozenList.<String>allBut(shared, 3)).containsExactly("a", "b", "c");
        assertThat(withoutB).isEqualTo(List.of("a", "c", "d")).hasSameHashCodeAs(List.of("a", "c", "d"));
        assertThat(List.of("a", "c", "d")).isEqualTo(withoutB);
        assertThat(withoutB).isEqualTo(FrozenList.allBut(shared, 1));
        assertThat(withoutB).isEqualTo(FrozenList.allBut(new Object[] {"a", "b", "c", "d"}, 1));
        assertThat(withoutB).isNotEqualTo(FrozenList.allBut(shared, 2));
        assertThat(withoutB).isNotEqualTo(List.of("a", "c"));
        assertThatThrownBy(() -> withoutB.get(3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> FrozenList.allBut(shared, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThat(FrozenList.allBut(new Object[] {"only"}, 0)).isEmpty();
    }

    @Test
    void prefixShowsOnlyTheGivenLength() {
        List<String> prefix = FrozenList.of(new Object[] {"x", "y", null}, 2);
        assertThat(prefix).containsExactly("x", "y");
        assertThatThrownBy(() -> prefix.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> prefix.add("z")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void allShowsTheWholeArrayAndEveryEmptyListIsTheSharedEmptyOne() {
        Object[] shared = {"a", "b"};
        List<String> all = FrozenList.all(shared);
        assertThat(all).containsExactly("a", "b").isEqualTo(FrozenList.allBut(new Object[] {"a", "b", "c"}, 2));
        assertThatThrownBy(() -> all.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(FrozenList.<String>all(new Object[0])).isSameAs(FrozenList.empty()).isEmpty();
        assertThat(FrozenList.<String>empty()).isEqualTo(List.of()).isEqualTo(FrozenList.allBut(new Object[] {"x"}, 0));
    }
}
