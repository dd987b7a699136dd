// Renders every Mermaid block of docs/course/*.md to the SVG the chapter shows above it.
//
// A chapter shows a diagram as an image, ![...](images/NAME.svg), with the Mermaid source in a
// <details> block right under it; this script finds each ```mermaid block, takes the last image
// within the 6 lines above its fence as its output (the same rule as check_docs.py), and renders
// it with Mermaid in Debian's chromium (headless, driven by playwright-core; nothing downloaded
// but the two npm packages of package.json). Run it through render_diagrams.sh.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const tools = dirname(fileURLToPath(import.meta.url));
const course = dirname(tools);
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";

function diagrams() {
  const found = [];
  for (const name of readdirSync(course).filter((n) => n.endsWith(".md")).sort()) {
    const lines = readFileSync(join(course, name), "utf8").split("\n");
    for (let i = 0; i < lines.length; ++i) {
      if (lines[i].trim() !== "```mermaid") continue;
      let image = null;
      for (let j = i - 1; j >= Math.max(0, i - 6) && !image; --j) {
        const m = lines[j].trim().match(/^!\[[^\]]*\]\((images\/[\w.-]+\.svg)\)/);
        if (m) image = m[1];
      }
      const end = lines.indexOf("```", i + 1);
      if (!image) throw new Error(`${name}:${i + 1}: no ![...](images/NAME.svg) above this diagram`);
      found.push({ where: `${name}:${i + 1}`, image, source: lines.slice(i + 1, end).join("\n") });
    }
  }
  return found;
}

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"],
});
const page = await browser.newPage();
await page.setContent("<!doctype html><html><body></body></html>");
await page.addScriptTag({ path: join(tools, "node_modules/mermaid/dist/mermaid.min.js") });
await page.evaluate(() => {
  // Plain SVG text (no HTML in foreignObject), so the files render in any SVG viewer; widths are
  // measured with DejaVu Sans, wider than the fonts most viewers substitute, so labels still fit.
  window.mermaid.initialize({
    startOnLoad: false,
    htmlLabels: false,
    theme: "neutral",
    fontFamily: "DejaVu Sans, Verdana, Arial, sans-serif",
    flowchart: { htmlLabels: false, curve: "basis", wrappingWidth: 320 },
    sequence: { useMaxWidth: false },
    securityLevel: "strict",
  });
});

let count = 0;
for (const d of diagrams()) {
  const svg = await page.evaluate(async ({ id, source }) => {
    const { svg } = await window.mermaid.render(id, source);
    // Mermaid writes HTML-style markup (<br>); an SVG file must be well-formed XML.
    const doc = new DOMParser().parseFromString(svg, "text/html");
    return new XMLSerializer().serializeToString(doc.querySelector("svg"));
  }, { id: `d${count}`, source: d.source });
  // An opaque background: the images must read on dark pages too.
  const opaque = svg.replace(/^(<svg [^>]*?)style="/, '$1style="background-color: #ffffff; ');
  writeFileSync(join(course, d.image), opaque + "\n");
  console.log(`${d.where} -> ${d.image} (${opaque.length} bytes)`);
  ++count;
}
await browser.close();
console.log(`render_diagrams: ${count} diagrams rendered`);
