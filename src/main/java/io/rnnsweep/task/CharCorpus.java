package io.rnnsweep.task;

import io.rnnsweep.trial.InvalidOptionException;
import io.rnnsweep.trial.TrialOption;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A text turned into character tokens the way d2l does it for The Time Machine.
 *
 * <p>Each line: every run of non-letters becomes one space, then the line is trimmed and lower-cased; the
 * lines are concatenated as they are (d2l's {@code tokenize(lines, 'char')}). The vocabulary is fixed at 28
 * tokens: {@code <unk>} (0), space (1) and {@code a}..{@code z} (2..27).
 *
 * @param source where the text came from (a path, or the bundled resource)
 * @param sha1 the SHA-1 of the file's bytes, so a trial records exactly which data it saw
 * @param tokens the token indices
 */
public record CharCorpus(String source, String sha1, int[] tokens) {
    /** Size of the vocabulary. */
    public static final int VOCABULARY = 28;
    /** The bundled corpus: H. G. Wells, The Time Machine (public domain). */
    public static final String BUNDLED = "timemachine.txt";

    /** Returns the token of a character: space, a letter, or {@code <unk>}. */
    public static int token(char c) {
        if (c == ' ') {
            return 1;
        }
        char lower = Character.toLowerCase(c);
        return lower >= 'a' && lower <= 'z' ? lower - 'a' + 2 : 0;
    }

    /** Returns the character of a token ({@code ?} for {@code <unk>}). */
    public static char character(int token) {
        return token == 0 ? '?' : token == 1 ? ' ' : (char) ('a' + token - 2);
    }

    /**
     * Applies d2l's preprocessing to a whole text: per line ({@code \r\n}, {@code \r} or {@code \n} ends one),
     * {@code re.sub('[^A-Za-z]+', ' ', line).strip().lower()}, the lines concatenated. One pass, no per-line strings
     * (a regular expression per line made loading the corpus ~30 ms of every timemachine trial's start).
     */
    public static String preprocess(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int lineStart = 0;
        boolean gap = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lineStart = out.length();
                gap = false;
            } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
                if (gap && out.length() > lineStart) {
                    out.append(' '); // a run of non-letters between two letters of the line
                }
                gap = false;
                out.append(c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
            } else {
                gap = true; // leading and trailing runs are stripped: a space only goes in before a letter
            }
        }
        return out.toString();
    }

    /**
     * Loads the given UTF-8 file, or the bundled The Time Machine when none is given.
     *
     * @throws InvalidOptionException naming option {@code corpus} when the file is missing, unreadable, empty,
     *     not UTF-8, or has no letters
     */
    public static CharCorpus load(Optional<Path> file) {
        Loaded key = Loaded.of(file);
        if (key == null) {
            return read(file); // Missing or unreadable: read() says what is wrong with it.
        }
        CharCorpus known = LOADED.get(key);
        if (known != null) {
            return known;
        }
        CharCorpus corpus = read(file);
        if (LOADED.size() >= MAX_LOADED) {
            LOADED.clear();
        }
        LOADED.put(key, corpus);
        return corpus;
    }

    /**
     * The corpora this JVM read, by file and version: an executor's trials of the same corpus share its tokens
     * (each session copies the ranges it trains and validates on) instead of reading, decoding and hashing it
     * again for every trial.
     */
    private static final java.util.Map<Loaded, CharCorpus> LOADED = new java.util.concurrent.ConcurrentHashMap<>();
    /** How many corpora the JVM keeps at most (it starts afresh when full). */
    private static final int MAX_LOADED = 16;

    /** Which corpus, and which version of its file: path, size and modification time (the bundled one: none). */
    private record Loaded(String path, long size, long modified) {
        /** The key of the given corpus; null when its file cannot be looked at. */
        static Loaded of(Optional<Path> file) {
            if (file.isEmpty()) {
                return new Loaded("", -1, -1);
            }
            try {
                Path path = file.get().toAbsolutePath();
                java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(path,
                        java.nio.file.attribute.BasicFileAttributes.class);
                return a.isRegularFile() ? new Loaded(path.toString(), a.size(), a.lastModifiedTime().toMillis())
                        : null;
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }

    private static CharCorpus read(Optional<Path> file) {
        byte[] bytes;
        String source;
        if (file.isEmpty()) {
            try (InputStream in = CharCorpus.class.getResourceAsStream(BUNDLED)) {
                if (in == null) {
                    throw new IllegalStateException("the bundled corpus " + BUNDLED + " is missing from the jar");
                }
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            source = "bundled:" + BUNDLED;
        } else {
            Path path = file.get();
            source = path.toString();
            if (!Files.exists(path)) {
                throw corpusError(path + " (no such file)");
            }
            if (!Files.isRegularFile(path)) {
                throw corpusError(path + " (not a regular file)");
            }
            try {
                bytes = Files.readAllBytes(path);
            } catch (IOException e) {
                throw corpusError(path + " (unreadable: " + e.getMessage() + ")");
            }
            if (bytes.length == 0) {
                throw corpusError(path + " (empty file)");
            }
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw corpusError(source + " (not valid UTF-8)");
        }
        String clean = preprocess(text);
        int[] tokens = new int[clean.length()];
        boolean letters = false;
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = token(clean.charAt(i));
            letters |= tokens[i] >= 2;
        }
        if (!letters) {
            throw corpusError(source + " (no usable characters: d2l's preprocessing keeps only letters A-Z)");
        }
        return new CharCorpus(source, sha1(bytes), tokens);
    }

    private static InvalidOptionException corpusError(String value) {
        return TrialOption.CORPUS.invalid(value);
    }

    private static String sha1(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Returns the number of tokens. */
    public int size() {
        return tokens.length;
    }
}
