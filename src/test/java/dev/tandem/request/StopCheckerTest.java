package dev.tandem.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopCheckerTest {
    static StopChecker checker(List<String> stops, List<Integer> stopIds, boolean ignoreEos, int maxTokens) {
        SamplingParams p = SamplingParams.builder()
                .temperature(0f)
                .maxTokens(maxTokens)
                .ignoreEos(ignoreEos)
                .stopTokenIds(stopIds)
                .stopStrings(stops)
                .build();
        return new StopChecker(p, List.of(0, 2));
    }

    @Test
    void aStopStringSplitAcrossTokensIsCaughtAndNeverEmitted() {
        StopChecker c = checker(List.of("o w"), List.of(), false, 100);
        StringBuilder out = new StringBuilder();
        out.append(c.filter("Hel"));
        out.append(c.filter("lo"));
        assertEquals("Hell", out.toString(), "the 'o' could start the stop string, so it waits");
        out.append(c.filter(" wor"));
        out.append(c.flush());
        assertEquals("Hell", out.toString());
        assertEquals(FinishReason.STOP, c.finishReason());
    }

    @Test
    void heldBackTextIsReleasedWhenItTurnsOutNotToBeAStop() {
        StopChecker c = checker(List.of("cd", "xyz"), List.of(), false, 100);
        assertEquals("ab", c.filter("abc"));
        assertEquals("c", c.filter("x"), "'c' is settled; 'x' may start 'xyz'");
        assertEquals("xya", c.filter("ya"));
        assertFalse(c.isFinished());
    }

    @Test
    void earliestStopStringWins() {
        StopChecker c = checker(List.of("END", "N"), List.of(), false, 100);
        assertEquals("The ", c.filter("The END"), "END starts before N");
        assertTrue(c.isFinished());
        assertEquals("", c.filter("more"));
    }

    @Test
    void stopTokensEosAndLength() {
        StopChecker c = checker(List.of(), List.of(7), false, 3);
        assertFalse(c.isStopToken(5));
        assertTrue(c.isStopToken(7));
        assertEquals(FinishReason.STOP, c.finishReason());

        StopChecker eos = checker(List.of(), List.of(), false, 3);
        assertTrue(eos.isStopToken(2), "eos id");
        StopChecker ignoring = checker(List.of(), List.of(), true, 3);
        assertFalse(ignoring.isStopToken(2), "ignore_eos");
        ignoring.checkLength(2);
        assertFalse(ignoring.isFinished());
        ignoring.checkLength(3);
        assertEquals(FinishReason.LENGTH, ignoring.finishReason());
    }
}
