package io.rnnsweep.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.trial.InvalidOptionException;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CharCorpusTest {
    @TempDir
    Path dir;

    @Test
    void preprocessingFollowsD2l() {
        assertEquals("the time machine by h g wellsi", CharCorpus.preprocess("The Time Machine, by H. G. Wells [1898]\n\n\nI\n"));
        assertEquals("it s adon t", CharCorpus.preprocess("  it's a--\ndon't!"));
    }

    /** d2l's preprocessing as its Python reads: per line, re.sub('[^A-Za-z]+', ' ', line).strip().lower(). */
    private static String d2l(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\r\n|\r|\n", -1)) {
            out.append(line.replaceAll("[^A-Za-z]+", " ").strip().toLowerCase(java.util.Locale.ROOT));
        }
        return out.toString();
    }

    @Test
    void preprocessingEqualsD2lsRegularExpressionsOnTheCorpusAndOnEveryKindOfLineBreakAndCharacter() throws IOException {
        String corpus;
        try (java.io.InputStream in = CharCorpus.class.getResourceAsStream(CharCorpus.BUNDLED)) {
            corpus = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertEquals(d2l(corpus), CharCorpus.preprocess(corpus));
        for (String text : new String[] {"", "\n", "a\r\nb", "a\rb\r\n\r\nc", " x \n y ", "--a--b--\r", "Zürich 12 ÆON\t z",
                "emoji \uD83D\uDE00 done", "ALL CAPS\nand lower", "a\u00A0b", "\u2028line\u2029sep"}) {
            assertEquals(d2l(text), CharCorpus.preprocess(text), "text: " + text);
        }
    }

    @Test
    void aCorpusIsReadOncePerJvmUntilItsFileChanges() throws IOException {
        assertSame(CharCorpus.load(Optional.empty()), CharCorpus.load(Optional.empty()), "the bundled corpus");
        Path file = dir.resolve("text.txt");
        Files.writeString(file, "Ab cd");
        CharCorpus first = CharCorpus.load(Optional.of(file));
        assertSame(first, CharCorpus.load(Optional.of(file)), "the same file, unchanged");
        Files.writeString(file, "Ab cd ef");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(file).toMillis() + 2_000));
        CharCorpus changed = CharCorpus.load(Optional.of(file));
        assertEquals("ab cd ef", decode(changed.tokens(), changed.size()), "the new text, read again");
        Files.delete(file);
        assertThrows(InvalidOptionException.class, () -> CharCorpus.load(Optional.of(file)),
                "a file gone since is an error, not a remembered corpus");
    }

    @Test
    void bundledTimeMachineIsTheDocumentedFileWithTwentyEightTokens() {
        CharCorpus c = CharCorpus.load(Optional.empty());
        assertEquals("090b5e7e70c295757f55df93cb0a180b9691891a", c.sha1());
        assertEquals(28, CharCorpus.VOCABULARY);
        assertTrue(c.size() > 150_000, "d2l's corpus has about 170k characters: " + c.size());
        assertEquals("the time machine by h g wells", decode(c.tokens(), 29));
        for (int t : c.tokens()) {
            assertTrue(t >= 1 && t < 28, "only space and letters survive preprocessing");
        }
    }

    private static String decode(int[] tokens, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(CharCorpus.character(tokens[i]));
        }
        return s.toString();
    }

    @Test
    void anyUtf8TextFileCanBeTheCorpus() throws IOException {
        Path f = Files.writeString(dir.resolve("mine.txt"), "Über café — hello world\n");
        CharCorpus c = CharCorpus.load(Optional.of(f));
        assertEquals("ber caf hello world", decode(c.tokens(), c.size()));
    }

    private void assertCorpusRejected(Path file, String expectedFragment) {
        InvalidOptionException e = assertThrows(InvalidOptionException.class, () -> CharCorpus.load(Optional.of(file)));
        assertEquals("corpus", e.option());
        assertTrue(e.getMessage().contains(expectedFragment), e.getMessage());
    }

    @Test
    void missingEmptyBinaryOrLetterlessCorporaAreRejectedNamingCorpus() throws IOException {
        assertCorpusRejected(dir.resolve("nope.txt"), "no such file");
        assertCorpusRejected(Files.writeString(dir.resolve("empty.txt"), ""), "empty file");
        assertCorpusRejected(Files.write(dir.resolve("bin.txt"), new byte[] {(byte) 0xff, (byte) 0xfe, 0x41}), "not valid UTF-8");
        assertCorpusRejected(Files.writeString(dir.resolve("digits.txt"), "1234 5678 !!!"), "no usable characters");
        assertCorpusRejected(dir, "not a regular file");
    }

    @Test
    void sequenceLongerThanTheCorpusIsRejectedNamingSeqLen() throws IOException {
        Path f = Files.writeString(dir.resolve("short.txt"), "a short text of a few words only");
        InvalidOptionException e = assertThrows(InvalidOptionException.class, () -> Tasks.get(TaskName.TIMEMACHINE)
                .open(Tasks.resolve(TaskName.TIMEMACHINE, Map.of(TrialOption.CORPUS, f.toString(),
                        TrialOption.BATCH, "2"))));
        assertEquals("seq-len", e.option());
        assertTrue(e.getMessage().contains("at most 9 with batch 2"), e.getMessage());
        assertTrue(e.getMessage().contains("training characters"), e.getMessage());
    }
}
