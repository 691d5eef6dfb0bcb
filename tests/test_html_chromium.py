#!/usr/bin/env python3
"""copydesk — renders the html output of the sample articles in headless Chromium.

  test_html_chromium.py PATH/TO/test_html_chromium

The helper (test_html_chromium.c) formats the shared samples (test_html_chromium.h) with
the html plugin.  Chromium loads the page (--dump-dom) and the test asserts on the DOM it
built: highlights by type, quotes with their speakers, badges, markup in the input shown as
text, the page fitting the viewport at phone and desktop widths, and text contrast of at
least 4.5:1.  Screenshots (phone 390x844, desktop 1280x900, and a tall phone one) are left in
BUILD/tests/html-chromium/ for people to look at.

TAP output; the whole test is skipped when no Chromium is installed (Debian: chromium).
"""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

tests = []


def check(name):
    def wrap(fn):
        tests.append((name, fn))
        return fn
    return wrap


# ---- A small DOM from Chromium's --dump-dom ----------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.walk()

    def find_all(self, tag=None, cls=None, **attrs):
        out = []
        for n in self.walk():
            if tag and n.tag != tag:
                continue
            if cls and cls not in n.classes():
                continue
            if any(n.attrs.get(k.replace("_", "-")) != v for k, v in attrs.items()):
                continue
            out.append(n)
        return out

    def ancestors(self):
        p = self.parent
        while p is not None:
            yield p
            p = p.parent


class DomBuilder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(markup):
    b = DomBuilder()
    b.feed(markup)
    b.close()
    return b.root


# ---- Chromium --------------------------------------------------------------------------------

def find_chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def chromium(browser, url, size, extra):
    profile = tempfile.mkdtemp(prefix="copydesk-chromium-")
    try:
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
               "--user-data-dir=" + profile, "--window-size=%d,%d" % size] + extra + [url]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90)
        if r.returncode != 0:
            raise AssertionError("chromium failed (%d): %s" % (r.returncode,
                                                              r.stderr.decode()[-2000:]))
        return r.stdout.decode("utf-8")
    finally:
        shutil.rmtree(profile, ignore_errors=True)


# The measuring script is added to a copy of the page only (the page itself runs no script
# and its Content-Security-Policy forbids them): it records the page's width and the
# colours text is drawn in, for the assertions below.
MEASURE = r"""<script>
(function () {
  var d = document.documentElement, b = document.body;
  b.setAttribute('data-scroll-width', String(d.scrollWidth));
  b.setAttribute('data-inner-width', String(window.innerWidth));
  var widest = 0;
  document.querySelectorAll('body *').forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (r.right > widest) widest = r.right;
  });
  b.setAttribute('data-widest-right', String(Math.ceil(widest)));
  function bg(e) {
    for (; e; e = e.parentElement) {
      var c = getComputedStyle(e).backgroundColor;
      if (c && c !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(c)) return c;
    }
    return 'rgb(255, 255, 255)';
  }
  var out = [];
  document.querySelectorAll('mark, q, .speaker, h1, h2, p, li, .foot, .note, .errors, b')
    .forEach(function (e) {
      out.push([e.tagName.toLowerCase() + '.' + e.className, getComputedStyle(e).color, bg(e)]);
    });
  b.setAttribute('data-colors', JSON.stringify(out));
})();
</script>"""


def rgb(s):
    m = re.match(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)", s)
    return tuple(float(x) for x in m.groups())


def luminance(c):
    def ch(v):
        v /= 255.0
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (ch(x) for x in c)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# ---- The checks ------------------------------------------------------------------------------

def article(dom, doc_id):
    found = [a for a in dom.find_all("article", cls="doc") if a.attrs.get("data-id") == doc_id]
    assert len(found) == 1, "one article %r, found %d" % (doc_id, len(found))
    return found[0]


@check("the page is one document with a legend, no script, a CSP and four articles")
def page_structure(ctx):
    dom = ctx["dom"]
    assert dom.find_all("script") == [], "the page must run no script"
    csp = [m for m in dom.find_all("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0].attrs["content"], "CSP meta missing"
    legend = dom.find_all("ul", cls="legend")
    assert len(legend) == 1
    types = {c for m in legend[0].find_all("mark") for c in m.classes()}
    assert {"PERSON", "ORG", "LOC", "MISC"} <= types, types
    ids = [a.attrs.get("data-id") for a in dom.find_all("article", cls="doc")]
    assert ids == ["valmora-brief", "valmora-strike", 'evil/"<i>&\'', "bare"], ids


@check("entities are highlighted by type with their entity ids")
def entities(ctx):
    a = article(ctx["dom"], "valmora-strike")
    marks = a.find_all("mark", cls="ent")
    got = [(m.text(), [c for c in m.classes() if c != "ent"][0], m.attrs.get("data-entity"))
           for m in marks]
    want = [("Valmora", "LOC", "E1"), ("Valmora", "LOC", "E1"),
            ("Ferrovia Nacional", "ORG", "E2"), ("Santa Brígida", "LOC", "E3"),
            ("Inês Carvalho", "PERSON", "E4"), ("Union of Rail Workers", "ORG", "E5"),
            ("Jonas Eberhardt", "PERSON", "E6"), ("Valmora Chamber of Commerce", "ORG", "E7"),
            ("Carvalho", "PERSON", "E4"), ("Valmora City", "LOC", "E8")]
    assert got == want, got
    carvalho = [m for m in marks if m.text() == "Carvalho"][0]
    assert carvalho.attrs["title"] == "Person: Inês Carvalho (E4)", carvalho.attrs["title"]


@check("quotes are marked with kind and speaker, each followed by a speaker badge")
def quotes(ctx):
    a = article(ctx["dom"], "valmora-strike")
    qs = a.find_all("q", cls="quote")
    got = [(q.attrs.get("data-kind"), q.attrs.get("data-speaker"), q.text()[:20]) for q in qs]
    want = [("direct", "Inês Carvalho", "Nobody wins a strike"),
            ("direct", "Inês Carvalho", "The first trains wil"),
            ("partial", "Jonas Eberhardt", "a fair settlement fo"),
            ("indirect", "Valmora Chamber of Commerce", "the strike had cost "),
            ("direct", "Inês Carvalho", "We will be counting ")]
    assert got == want, got
    badges = [b.text() for b in a.find_all("span", cls="speaker")]
    assert badges == ["Inês Carvalho · said", "Inês Carvalho · said", "Jonas Eberhardt · called",
                      "Valmora Chamber of Commerce · said", "Inês Carvalho · told"], badges
    # The badge follows the closing quotation mark: “…high,” [Inês Carvalho · said] said
    text = a.find_all("div", cls="text")[0]
    flat = text.text()
    assert "held high,”Inês Carvalho · said said Inês" in flat, flat[:400]
    # A place named inside a quote is nested in it.
    city = [m for m in a.find_all("mark") if m.text() == "Valmora City"][0]
    assert any(p.tag == "q" for p in city.ancestors()), "Valmora City not inside its quote"


@check("paragraphs follow the blank lines of the cleaned text")
def paragraphs(ctx):
    a = article(ctx["dom"], "valmora-strike")
    ps = a.find_all("div", cls="text")[0].find_all("p")
    assert len(ps) == 6, [p.text()[:30] for p in ps]
    assert ps[0].text() == "Valmora rail unions accept pay deal, ending ten-day strike"


@check("markup in the input shows as text, never as elements")
def escaping(ctx):
    a = article(ctx["dom"], 'evil/"<i>&\'')
    tags = {n.tag for n in a.walk()}
    assert tags <= {"h2", "div", "p", "mark", "q", "span", "br", "ul", "li", "b"}, tags
    # the only <b> elements are the summary's headings
    for b in a.find_all("b"):
        assert any("summary" in p.classes() for p in b.ancestors()), b.text()
    flat = a.text()
    for s in ["</script><b>bold?</b>", "<img src=x onerror=alert(1)>", '"double"', "'single'",
              "<b>Not bold</b> & not <i>italic</i>", "Eve <Mallory>"]:
        assert s in flat, (s, flat)
    assert a.find_all("h2")[0].text() == 'evil/"<i>&\''
    img = [m for m in a.find_all("mark") if m.text() == "<img src=x onerror=alert(1)>"][0]
    assert img.attrs["title"] == 'Organisation: <script>alert("name")</script> (E1)', img.attrs
    q = a.find_all("q")[0]
    assert q.attrs["data-speaker"] == "Eve \"<Mallory>\" & 'co'", q.attrs
    # control characters and invalid bytes are replaced, never passed on
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", ctx["raw"]), "control character in page"
    assert "\ufffd" in flat


@check("a document without layers says what is missing")
def bare(ctx):
    a = article(ctx["dom"], "bare")
    notes = " ".join(n.text() for n in a.find_all("li", cls="note"))
    assert "not annotated" in notes and "entities" in notes and "quotes" in notes, notes
    assert a.find_all("mark") == [] and a.find_all("q") == []


def measured(ctx, size):
    key = "measure-%dx%d" % size
    if key not in ctx:
        page = ctx["raw"]
        page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?', "", page)
        page = page.replace("</body>", MEASURE + "\n</body>")
        path = os.path.join(ctx["out"], "measure.html")
        with open(path, "w", encoding="utf-8") as f:
            f.write(page)
        dom = parse(chromium(ctx["browser"], "file://" + path, size, ["--dump-dom"]))
        ctx[key] = dom.find_all("body")[0].attrs
    return ctx[key]


@check("the page fits a phone screen (390 px): no horizontal scrolling")
def phone_width(ctx):
    m = measured(ctx, (390, 844))
    sw, iw, right = int(m["data-scroll-width"]), int(m["data-inner-width"]), int(m["data-widest-right"])
    assert sw <= iw and right <= iw, "scrollWidth %d, widest element ends at %d, viewport %d" % (sw, right, iw)


@check("the page fits a desktop screen (1280 px) with a readable measure")
def desktop_width(ctx):
    m = measured(ctx, (1280, 900))
    sw, iw = int(m["data-scroll-width"]), int(m["data-inner-width"])
    assert sw <= iw, "scrollWidth %d > viewport %d" % (sw, iw)


@check("text contrast is at least 4.5:1 everywhere")
def colours(ctx):
    for size in ((390, 844), (1280, 900)):
        bad = []
        for what, fg, bg in json.loads(measured(ctx, size)["data-colors"]):
            ratio = contrast(rgb(fg), rgb(bg))
            if ratio < 4.5:
                bad.append("%s: %s on %s = %.2f" % (what, fg, bg, ratio))
        assert not bad, "\n".join(bad)


@check("screenshots at phone and desktop sizes")
def screenshots(ctx):
    for name, size in (("phone", (390, 844)), ("desktop", (1280, 900)), ("phone-full", (390, 4200))):
        png = os.path.join(ctx["out"], name + ".png")
        if os.path.exists(png):
            os.remove(png)
        chromium(ctx["browser"], "file://" + ctx["page"], size, ["--screenshot=" + png])
        assert os.path.getsize(png) > 10000, "%s is too small to show anything" % png


def main():
    helper = sys.argv[1]
    browser = find_chromium()
    if browser is None:
        print("1..1\nok 1 # SKIP chromium is not installed (Debian: apt-get install chromium)")
        return 0
    out = os.path.join(os.environ.get("COPYDESK_BUILD_ROOT", tempfile.gettempdir()), "tests",
                       "html-chromium")
    os.makedirs(out, exist_ok=True)
    raw = subprocess.run([helper, "--format", "html", "--options", "{title: copydesk samples}"],
                         check=True, stdout=subprocess.PIPE).stdout.decode("utf-8")
    page = os.path.join(out, "sample.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write(raw)
    ctx = {"browser": browser, "out": out, "page": page, "raw": raw}
    print("1..%d" % len(tests))
    failed = 0
    try:
        ctx["dom"] = parse(chromium(browser, "file://" + page, (1280, 900), ["--dump-dom"]))
    except Exception as e:  # every check needs the DOM
        for i, (name, _) in enumerate(tests, 1):
            print("not ok %d - %s\n# %s" % (i, name, e))
        return 1
    for i, (name, fn) in enumerate(tests, 1):
        try:
            fn(ctx)
            print("ok %d - %s" % (i, name))
        except Exception as e:
            failed += 1
            print("not ok %d - %s" % (i, name))
            for line in ("%s: %s" % (type(e).__name__, e)).splitlines():
                print("# " + line)
    print("# page and screenshots: " + out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
