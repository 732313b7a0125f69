package dev.tandem.grammar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The grammar engine on a small hand-made vocabulary: masks, EOS, UTF-8, checks. */
class GrammarMatcherTest {
    static final String[] PIECES = {
        "<eos>", "a", "b", "ab", "ba", "{", "}", "\"", "x", "xy", "é", "\u00c3", "1", "12", "-", " ", "\"}", "{\"", ",",
        "é\"", "日本"
    };
    static final int EOS = 0;

    static TokenVocabulary vocab() {
        byte[][] bytes = new byte[PIECES.length][];
        for (int i = 1; i < PIECES.length; i++) {
            bytes[i] = PIECES[i].getBytes(StandardCharsets.UTF_8);
        }
        // a token that is only the first byte of a two-byte character
        bytes[11] = new byte[] {(byte) 0xC3};
        return new TokenVocabulary(bytes);
    }

    static List<String> allowed(GrammarMatcher m) {
        float[] logits = new float[PIECES.length];
        m.mask(logits, 0, logits.length, List.of(EOS));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] != Float.NEGATIVE_INFINITY) {
                out.add(PIECES[i]);
            }
        }
        return out;
    }

    static GrammarMatcher matcher(String gbnf) {
        return Grammars.of(vocab()).matcher(gbnf);
    }

    static int id(String piece) {
        return Arrays.asList(PIECES).indexOf(piece);
    }

    @Test
    void masksToTheTokensThatKeepTheOutputInsideTheGrammar() {
        GrammarMatcher m = matcher("root ::= \"a\" \"b\"* ");
        assertEquals(List.of("a", "ab"), allowed(m));
        m.accept(id("ab"));
        assertEquals(List.of("<eos>", "b"), allowed(m));
        m.accept(id("b"));
        assertTrue(m.mayEnd());
    }

    @Test
    void eosIsForcedWhereNothingElseMayFollowEvenIfMaskedBefore() {
        GrammarMatcher m = matcher("root ::= \"x\"");
        m.accept(id("x"));
        float[] logits = new float[PIECES.length];
        logits[EOS] = Float.NEGATIVE_INFINITY; // as min_tokens would leave it
        m.mask(logits, 0, logits.length, List.of(EOS));
        assertEquals(0f, logits[EOS]);
        for (int i = 1; i < logits.length; i++) {
            assertEquals(Float.NEGATIVE_INFINITY, logits[i], PIECES[i]);
        }
    }

    @Test
    void multiByteCharactersMayBeSplitAcrossTokens() {
        GrammarMatcher m = matcher("root ::= [\u00e0-\u00ff] \"\\\"\"");
        assertEquals(List.of("é", "\u00c3", "é\""), allowed(m));
        m.accept(id("\u00c3")); // first byte of é..ÿ (C3 A0..C3 BF)
        assertFalse(m.mayEnd());
        m.accept(id("é") == -1 ? 0 : id("é"));
        assertFalse(m.alive(), "C3 followed by C3 A9 is not UTF-8 of one character in the class");
    }

    @Test
    void negatedClassesAndRulesAndRepetitionCounts() {
        GrammarMatcher m = matcher("""
                root ::= "{" str{1,2} "}"   # a comment
                str  ::= "\\"" [^"]* "\\""
                """);
        m.accept(id("{\""));
        assertEquals(
                List.of(
                        "a", "b", "ab", "ba", "{", "}", "\"", "x", "xy", "é", "\u00c3", "1", "12", "-", " ", "\"}",
                        "{\"", ",", "é\"", "日本"),
                allowed(m));
        m.accept(id("日本"));
        m.accept(id("\"}"));
        assertEquals(List.of("<eos>"), allowed(m));
    }

    @Test
    void masksAreTheSameWhetherComputedFirstOrFromTheCache() {
        Grammars g = Grammars.of(vocab());
        String text = "root ::= (\"a\" | \"b\")+ \"1\"?";
        GrammarMatcher first = g.matcher(text);
        List<String> before = allowed(first);
        GrammarMatcher second = g.matcher(text);
        assertEquals(before, allowed(second));
        first.accept(id("ab"));
        second.accept(id("a"));
        second.accept(id("b"));
        float[] x = new float[PIECES.length], y = new float[PIECES.length];
        first.mask(x, 0, x.length, List.of(EOS));
        second.mask(y, 0, y.length, List.of(EOS));
        assertArrayEquals(x, y);
    }

    @Test
    void badGrammarsAreRefusedWithTheReason() {
        assertTrue(assertThrows(GrammarException.class, () -> Grammars.check("root ::= a\na ::= a \"x\" | \"y\""))
                .getMessage()
                .contains("left-recursive"));
        assertTrue(assertThrows(GrammarException.class, () -> Grammars.check("root ::= a\na ::= \"x\" a"))
                .getMessage()
                .contains("can match nothing"));
        assertTrue(assertThrows(GrammarException.class, () -> Grammars.check("root ::= [^\\x00-\\U0010FFFF]"))
                .getMessage()
                .contains("can match nothing"));
        assertTrue(assertThrows(GrammarException.class, () -> Grammars.check("root ::= b"))
                .getMessage()
                .contains("does not define"));
        assertTrue(assertThrows(GrammarException.class, () -> Grammars.check("root ::= \"x"))
                .getMessage()
                .contains("syntax error"));
        assertTrue(assertThrows(GrammarException.class, () -> Grammars.check("start ::= \"x\""))
                .getMessage()
                .contains("no 'root'"));
    }

    @Test
    void rightRecursionNestsWithoutBound() {
        GrammarMatcher m = matcher("root ::= \"{\" root? \"}\"");
        for (int i = 0; i < 50; i++) {
            m.accept(id("{"));
        }
        for (int i = 0; i < 49; i++) {
            m.accept(id("}"));
            assertFalse(m.mayEnd());
        }
        m.accept(id("}"));
        assertTrue(m.mayEnd());
        assertEquals(List.of("<eos>"), allowed(m));
    }
}
