package org.repzoo.training.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipeFilesTest {

    @TempDir
    Path dir;

    @Test
    void aFileOverridesOnlyWhatItNames() throws Exception {
        Path file = dir.resolve("short.json");
        Files.writeString(file, """
                {"base": "repvgg", "epochs": 10, "batchSize": 64,
                 "averaging": {"kind": "EXPONENTIAL", "decay": 0.9998},
                 "augmentation": {"cropSize": 32}}""");
        Recipe recipe = RecipeFiles.load(file);
        Recipe expected = Recipes.REPVGG
                .withEpochs(10)
                .withBatchSize(64)
                .withAveraging(Averaging.exponential(0.9998))
                .withAugmentation(Augmentation.randomResized(32, 0.08, Augmentation.Colour.NONE));
        assertEquals(expected, recipe);
        assertEquals(0.025, recipe.effectiveLearningRate(), 1e-15);
    }

    @Test
    void everyRegisteredRecipeRoundTrips() throws Exception {
        for (Recipe recipe : Recipes.all().values()) {
            assertEquals(recipe, RecipeFiles.fromJson(RecipeFiles.toJson(recipe)), recipe.name());
        }
    }

    @Test
    void aTypoIsAnErrorNamingTheFileAndTheKey() throws Exception {
        Path file = dir.resolve("typo.json");
        Files.writeString(file, "{\"base\": \"resnet\", \"epoch\": 10}");
        RecipeFileException e = assertThrows(RecipeFileException.class, () -> RecipeFiles.load(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("epoch"), e.getMessage());
    }

    @Test
    void unknownBaseMissingBaseAndBadJsonAreErrorsNamingTheFile() throws Exception {
        Path unknown = dir.resolve("unknown.json");
        Files.writeString(unknown, "{\"base\": \"alexnet\"}");
        Path noBase = dir.resolve("nobase.json");
        Files.writeString(noBase, "{\"epochs\": 3}");
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"base\": \"repvgg\", ");
        Path outOfRange = dir.resolve("range.json");
        Files.writeString(outOfRange, "{\"base\": \"repvgg\", \"labelSmoothing\": 1.5}");
        for (Path file : new Path[] {unknown, noBase, broken, outOfRange, dir.resolve("missing.json")}) {
            RecipeFileException e = assertThrows(RecipeFileException.class, () -> RecipeFiles.load(file));
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        }
    }

    @Test
    void anOutOfRangeOverrideNamesItsKeyAndValueOnly() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecipeFiles.override(Recipes.REPVGG, "{\"batchSize\": -1, \"dropout\": 1.0}"));
        assertEquals("invalid recipe override: recipe repvgg: batchSize is -1, must be > 0; dropout is 1.0, must be in "
                + "[0, 1)", e.getMessage());
    }
}
