package dev.tandem.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.tokenizer.jinja.Template;
import dev.tandem.tokenizer.jinja.TemplateException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Jinja features one at a time, with the outputs Python's jinja2 gives for them. */
class JinjaTemplateTest {
    static String render(String src, Map<String, ?> ctx) {
        return Template.compile(src).render(ctx);
    }

    @Test
    void whitespaceControlTrimAndLstripBlocks() {
        assertEquals(
                "a\nb\n", render("{% if true %}\na\n{% endif %}\n    {% if true %}\nb\n    {% endif %}\n", Map.of()));
        assertEquals("xy", render("x  {%- if true -%}  \n y{% endif %}", Map.of()));
        assertEquals(
                "1 2 3",
                render("{% for i in range(1, 4) %}{{ i }}{% if not loop.last %} {% endif %}{% endfor %}", Map.of()));
    }

    @Test
    void loopsNamespaceAndScoping() {
        String src = "{% set ns = namespace(n=0, last='') %}{% set outer = 1 %}"
                + "{% for m in items %}{% set outer = 2 %}{% set ns.n = ns.n + 1 %}{% set ns.last = m %}{% endfor %}"
                + "{{ ns.n }} {{ ns.last }} {{ outer }}";
        assertEquals("3 c 1", render(src, Map.of("items", List.of("a", "b", "c"))));
        assertEquals("c,b,a", render("{{ items[::-1] | join(',') }}", Map.of("items", List.of("a", "b", "c"))));
        assertEquals(
                "b",
                render(
                        "{% for x in items if x != 'a' %}{{ x }}{% break %}{% endfor %}",
                        Map.of("items", List.of("a", "b", "c"))));
        assertEquals(
                "0a1b",
                render(
                        "{% for k, v in d.items() %}{{ v }}{{ k }}{% endfor %}",
                        Map.of("d", new java.util.LinkedHashMap<>(Map.of("a", 0)) {
                            {
                                put("b", 1);
                            }
                        })));
    }

    @Test
    void stringMethodsSlicingAndTests() {
        assertEquals(
                "hi|x y|True|False|['a', 'b c']|lo",
                render(
                        "{{ s.strip() }}|{{ 'x  y'.split() | join(' ') }}|{{ s.strip().startswith('h') }}|{{ s is none }}|{{ 'a,b c'.split(',') }}|{{ 'hello'[3:] }}",
                        Map.of("s", "  hi\n")));
        assertEquals(
                "yes",
                render("{% if x is defined and x is string and y is not defined %}yes{% endif %}", Map.of("x", "a")));
        assertEquals(
                "after",
                render("{{ c.split('</think>')[-1].lstrip('\\n') }}", Map.of("c", "<think>a</think>\n\nafter")));
    }

    @Test
    void tojsonLikePythonJsonDumps() {
        Map<String, Object> v = new java.util.LinkedHashMap<>();
        v.put("name", "f");
        v.put("n", 1);
        v.put("x", 1.5);
        v.put("ok", true);
        v.put("none", null);
        v.put("list", List.of("é", "\"q\""));
        assertEquals(
                "{\"name\": \"f\", \"n\": 1, \"x\": 1.5, \"ok\": true, \"none\": null, \"list\": [\"é\", \"\\\"q\\\"\"]}",
                render("{{ v | tojson }}", Map.of("v", v)));
        assertEquals(
                "[\n  1,\n  {\n    \"a\": []\n  }\n]",
                render("{{ v | tojson(indent=2) }}", Map.of("v", List.of(1, Map.of("a", List.of())))));
    }

    @Test
    void macrosFiltersAndOperators() {
        assertEquals(
                "<b>x</b><b>y</b>",
                render("{% macro b(t) %}<b>{{ t }}</b>{% endmacro %}{{ b('x') }}{{ b(t='y') }}", Map.of()));
        assertEquals(
                "3 2.5 2 1 ab 7",
                render(
                        "{{ 1 + 2 }} {{ 5 / 2 }} {{ 5 // 2 }} {{ 5 % 2 }} {{ 'a' ~ 'b' }} {{ items | length + 4 }}",
                        Map.of("items", List.of(1, 2, 3))));
        assertEquals(
                "A|d|x",
                render("{{ 'a' | upper }}|{{ undefined_var | default('d') }}|{{ 'x' if true else 'y' }}", Map.of()));
    }

    @Test
    void raiseExceptionAndSyntaxErrors() {
        TemplateException e =
                assertThrows(TemplateException.class, () -> render("{{ raise_exception('bad roles') }}", Map.of()));
        assertEquals("bad roles", e.getMessage());
        assertThrows(TemplateException.class, () -> Template.compile("{% if x %}unclosed"));
        assertThrows(TemplateException.class, () -> Template.compile("{% frobnicate %}"));
    }
}
