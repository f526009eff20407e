package org.repzoo.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ImageNetClasses} against torchvision 0.14's {@code _IMAGENET_CATEGORIES}. */
class ImageNetClassesTest {

    @Test
    void thousandDistinctNames() {
        List<String> names = ImageNetClasses.names();
        assertEquals(1000, names.size());
        assertEquals(1000, new HashSet<>(names).size());
        assertThrows(UnsupportedOperationException.class, () -> names.set(0, "carp"));
    }

    /** Values read from torchvision.models._meta._IMAGENET_CATEGORIES (torchvision 0.14.1). */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "0, tench",
        "1, goldfish",
        "134, crane bird",
        "207, golden retriever",
        "281, tabby",
        "517, crane",
        "638, maillot",
        "999, toilet tissue",
    })
    void torchvisionNames(int index, String name) {
        assertEquals(name, ImageNetClasses.name(index));
        assertEquals(name, ImageNetClasses.names().get(index));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 1000, Integer.MAX_VALUE})
    void badIndexIsNamed(int index) {
        IndexOutOfBoundsException error = assertThrows(IndexOutOfBoundsException.class,
                () -> ImageNetClasses.name(index));
        assertTrue(error.getMessage().contains(Integer.toString(index)), error.getMessage());
        assertTrue(error.getMessage().contains("0..999"), error.getMessage());
    }
}
