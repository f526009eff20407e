package org.repzoo.evaluation.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repzoo.evaluation.EvalSet;
import org.repzoo.evaluation.data.BadInputException;
import org.repzoo.evaluation.data.ImageFolder;
import org.repzoo.evaluation.data.Selection;
import org.repzoo.evaluation.protocol.ProtocolName;
import org.repzoo.evaluation.protocol.ProtocolSettings;

/** A bad file stops the run with its path, or with SKIP is counted and listed while the rest is evaluated. */
class BadInputTest {

    private static Member member;

    @BeforeAll
    static void load() {
        member = new Member("tiny0", null, EvalSet.net(0), EvalSet.PRESET);
    }

    /** The committed image set plus a truncated PNG, a text file named .jpg and an empty class folder. */
    static Path brokenSet(Path temp) throws IOException {
        Path root = temp.resolve("images");
        try (Stream<Path> files = Files.walk(EvalSet.images())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = root.resolve(EvalSet.images().relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
        byte[] png = Files.readAllBytes(root.resolve("bird/b1.png"));
        Files.write(root.resolve("bird/b3.png"), java.util.Arrays.copyOf(png, png.length / 2));
        Files.writeString(root.resolve("cat/c3.jpg"), "not an image");
        Files.createDirectories(root.resolve("emu"));
        return root;
    }

    private static Evaluation.Setup setup(Path root, EvaluationOptions options) throws IOException {
        return new Evaluation.Setup(List.of(member), ImageFolder.open(root, null), Selection.all(),
                List.of(ProtocolSettings.defaults().protocol(ProtocolName.SINGLE, EvalSet.PRESET)), options, null);
    }

    @Test
    void stopsAtTheFirstBadInputWithItsPath(@TempDir Path temp) throws IOException {
        Path root = brokenSet(temp);
        BadInputException error = assertThrows(BadInputException.class, () -> Evaluation.run(setup(root,
                EvaluationOptions.defaults()), (done, total) -> { }));
        // Listing problems come first: the empty class folder.
        assertEquals(root.resolve("emu").toString(), error.input().path());
        Files.delete(root.resolve("emu"));
        error = assertThrows(BadInputException.class, () -> Evaluation.run(setup(root, EvaluationOptions.defaults()),
                (done, total) -> { }));
        assertEquals(root.resolve("bird/b3.png").toString(), error.input().path());
        assertTrue(error.getMessage().startsWith(root.resolve("bird/b3.png") + ": "), error.getMessage());
        // Met during evaluation, so skipping bad inputs would have gone on (the command line names its flag).
        assertTrue(error.skippable(), error.getMessage());
    }

    @Test
    void skipCountsListsAndEvaluatesTheRest(@TempDir Path temp) throws IOException {
        Path root = brokenSet(temp);
        EvaluationResult result = Evaluation.run(setup(root, EvaluationOptions.defaults()
                .with(EvaluationOptions.BadInputs.SKIP)), (done, total) -> { });
        assertEquals(6, result.images());
        assertEquals(3, result.badInputCount());
        assertEquals(List.of(root.resolve("emu").toString(), root.resolve("bird/b3.png").toString(),
                root.resolve("cat/c3.jpg").toString()), result.badInputs().stream().map(b -> b.path()).toList());
        assertTrue(result.badInputs().get(2).problem().contains("not an image"), result.badInputs().get(2).problem());
        assertEquals(6, result.results().get(0).accuracy().images());
    }

    @Test
    void smallImagesRefusedOnRequest(@TempDir Path temp) throws IOException {
        BadInputException error = assertThrows(BadInputException.class, () -> Evaluation.run(setup(EvalSet.images(),
                EvaluationOptions.defaults().with(EvaluationOptions.SmallImages.REFUSE)), (done, total) -> { }));
        assertTrue(error.getMessage().contains("b1.png: image 40x30 is smaller than the 64 crop"), error.getMessage());
    }
}
