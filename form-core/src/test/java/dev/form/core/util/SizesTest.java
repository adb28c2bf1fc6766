package dev.form.core.util;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SizesTest {

    @Test
    void parsesBinarySuffixes() {
        assertThat(Sizes.parse("512")).isEqualTo(512);
        assertThat(Sizes.parse("4K")).isEqualTo(4096);
        assertThat(Sizes.parse("512M")).isEqualTo(512L << 20);
        assertThat(Sizes.parse("2g")).isEqualTo(2L << 30);
        assertThat(Sizes.parse("1T")).isEqualTo(1L << 40);
        assertThat(Sizes.parse("1GiB")).isEqualTo(1L << 30);
        assertThat(Sizes.parse("64MB")).isEqualTo(64L << 20);
    }

    @Test
    void rejectsWhatIsNotASizeNamingTheRule() {
        assertThatThrownBy(() -> Sizes.parse("1.5G")).hasMessageContaining("not a size");
        assertThatThrownBy(() -> Sizes.parse("-1")).hasMessageContaining("not a size");
        assertThatThrownBy(() -> Sizes.parse("G")).hasMessageContaining("not a size");
        assertThatThrownBy(() -> Sizes.parse("")).hasMessageContaining("size is required");
        assertThatThrownBy(() -> Sizes.parse("99999999999T")).hasMessageContaining("too large");
    }

    @Property
    void formatThenParseIsIdentity(@ForAll @LongRange(min = 0, max = 1L << 50) long bytes) {
        assertThat(Sizes.parse(Sizes.format(bytes))).isEqualTo(bytes);
    }
}
