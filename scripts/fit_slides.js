/* Fit every slide of a static lecture deck on the screen.
 *
 * scripts/build_slides.py writes this file inline into each deck (offline, no dependency beyond
 * the deck's own reveal.js and MathJax). Once reveal.js is ready, the page has loaded and MathJax
 * has typeset, every vertical slide is laid out and measured with its real height, in reveal's
 * px (a deck is 960x700 and scaled to the screen as a whole). A slide taller than the deck is cut
 * into continuation slides placed right after it, each time at the latest place where the part
 * above fits, preferring
 *   1. a cut between cells (a fragment counts as a cell);
 *   2. if none fits or it leaves less than half a slide above: a cut inside a cell, a markdown
 *      cell between its blocks (paragraphs, lists, headings, display math, tables), a code cell
 *      between its input and each of its outputs;
 *   3. if still none fits or it leaves less than half a slide: a cut between the items of a list
 *      or the rows of a table (the table's header is repeated);
 * never a cut right after a heading, nor inside a sentence that runs on from one block to the
 * next (see `mayCut`). A block that alone is still too tall (a long code input or printed output,
 * a tall figure) gets a max-height: a figure is drawn smaller, keeping its proportions; text
 * scrolls in its own box.
 * Speaker notes (aside.notes) stay on the first piece; fragments keep working, numbered again on
 * each slide by reveal.js. A continuation slide is marked <section data-continuation="true">.
 * When done the deck shows the slide it showed before and sets
 * <html data-slides-fitted="true" data-slides-added="N">, N being the continuation slides made.
 */
(function () {
  "use strict";

  const revealModule = document.currentScript.dataset.reveal;  // the deck's reveal.js, as require() knows it
  const SMALLEST_FIGURE = 220, SMALLEST_BOX = 140;  // a block gets no smaller than this (px)
  const BETWEEN_CELLS = 0, IN_CELL = 1, IN_LIST = 2;  // IN_LIST: between list items or table rows

  const children = el => Array.from(el.children);
  // A cut must not part a heading from what it introduces, nor a sentence running on from one
  // block to the next: a paragraph (or equation) that does not end in . ! or ? goes on in the next
  // block ("... and" + equation, "... as follows:" + list), and so does a paragraph that starts in
  // lower case ("with W of shape ..." after an equation). The text of math ends in its TeX source.
  const isParagraph = el => el !== undefined && el.tagName === "P";
  const endsSentence = el => /[.!?]["')\]]*\s*$/.test(el.textContent);
  const introduces = el => /^H[1-6]$/.test(el.tagName) || (isParagraph(el) && !endsSentence(el));
  const runsOn = el => isParagraph(el) && /^\s*[a-z]/.test(el.textContent);
  const mayCut = (cut, blocks) => !introduces(blocks[cut.at - 1]) && !runsOn(blocks[cut.at]);

  /** The parts a box may be cut into, in reading order, and how coarse a cut between them is. */
  function partsOf(box) {
    if (box.tagName === "SECTION" || box.classList.contains("fragment")) {
      return {level: BETWEEN_CELLS, parts: children(box).filter(el => !el.matches("aside.notes"))};
    }
    if (box.classList.contains("jp-MarkdownCell")) {
      const text = box.querySelector(".jp-RenderedMarkdown");
      return {level: IN_CELL, parts: text ? children(text) : []};
    }
    if (box.classList.contains("jp-CodeCell")) {
      return {level: IN_CELL, parts: Array.from(box.querySelectorAll(
        ":scope > .jp-Cell-inputWrapper, :scope > .jp-Cell-outputWrapper .jp-OutputArea-child"))};
    }
    if (box.matches("ul, ol")) return {level: IN_LIST, parts: children(box)};
    if (box.tagName === "TABLE") return {level: IN_LIST, parts: Array.from(box.tBodies).flatMap(children)};
    return {level: null, parts: []};
  }

  /** Every place a slide may be cut, in reading order: {before: the node the continuation starts
   * with, level, at: the index of the smallest block just below the cut}; and those blocks, in order. */
  function cutsOf(slide) {
    const cuts = [], blocks = [];
    (function walk(box) {
      const {level, parts} = partsOf(box);
      if (parts.length === 0) {
        blocks.push(box);
        return;
      }
      parts.forEach((part, i) => {
        if (i > 0) cuts.push({before: part, level, at: blocks.length});
        walk(part);
      });
    })(slide);
    return {cuts, blocks};
  }

  /** The slide's height if it ended just before `node` (a descendant): everything from `node` on
   * is taken out for a moment, so that the CSS of the last block (:last-child) is that of a cut. */
  function heightAbove(slide, node) {
    const taken = [];  // [box, the nodes it ends with], from `node`'s box up to the slide
    for (let first = node, box = node.parentElement; ; first = box.nextSibling, box = box.parentElement) {
      const trailing = [];
      for (let n = first; n; n = n.nextSibling) trailing.push(n);
      trailing.forEach(n => n.remove());
      taken.push([box, trailing]);
      if (box === slide) break;
    }
    const height = slide.scrollHeight;
    taken.forEach(([box, trailing]) => box.append(...trailing));
    return height;
  }

  /** Where to cut a slide that is too tall; null if no allowed cut leaves a part above that fits.
   * At each level, coarsest first, the candidate is the latest cut that fits, or, when the rest
   * would fit on one slide, the cut that shares the content most evenly between the two. A level
   * is taken if its first piece fills half the slide (the last two pieces a quarter each);
   * otherwise the finest candidate is. */
  function bestCut(slide, limit) {
    const {cuts, blocks} = cutsOf(slide);
    let fitting = 0;  // the first `fitting` cuts leave a part above that fits (heights grow with the cut)
    for (let hi = cuts.length; fitting < hi;) {
      const mid = (fitting + hi) >> 1;
      if (heightAbove(slide, cuts[mid].before) <= limit) fitting = mid + 1; else hi = mid;
    }
    const allowed = cuts.slice(0, fitting).filter(cut => mayCut(cut, blocks));
    const heights = new Map(), above = cut => {
      if (!heights.has(cut)) heights.set(cut, heightAbove(slide, cut.before));
      return heights.get(cut);
    };
    const total = slide.scrollHeight;
    let best = null;
    for (const level of [BETWEEN_CELLS, IN_CELL, IN_LIST]) {
      const candidates = allowed.filter(c => c.level <= level);
      if (candidates.length === 0) continue;
      best = candidates[candidates.length - 1];
      if (total - above(best) > limit) {  // more pieces to come: fill this one
        if (above(best) >= limit / 2) break;
        continue;
      }
      let smaller = Math.min(above(best), total - above(best));  // the last two pieces: balance them
      for (let i = candidates.length - 2; i >= 0 && total - above(candidates[i]) <= limit; i--) {
        const piece = Math.min(above(candidates[i]), total - above(candidates[i]));
        if (piece > smaller) [best, smaller] = [candidates[i], piece];
      }
      if (smaller >= limit / 4) break;
    }
    return best;
  }

  /** Cut `slide` before `node` (a descendant): `node` and all that follows it move, with copies of
   * the boxes around them, into a new slide placed right after; returns the new slide. */
  function cutBefore(slide, node) {
    let moving = node, box = node.parentElement, copy;
    for (;;) {
      copy = box.cloneNode(false);
      copy.removeAttribute("id");
      if (box.tagName === "OL") copy.start = box.start + children(box).indexOf(moving);  // numbering goes on
      if (box.tagName === "TABLE" && box.tHead) copy.append(box.tHead.cloneNode(true));  // so does the header
      for (let el = moving, next; el; el = next) {
        next = el.nextSibling;
        copy.appendChild(el);
      }
      if (box === slide) break;
      box.after(copy);
      moving = copy;
      box = box.parentElement;
    }
    // the new slide starts with none of reveal.js's state: Reveal.sync() gives it its own
    for (const name of ["style", "hidden", "aria-hidden", "data-index-h", "data-index-v", "data-previous-indexv"]) {
      copy.removeAttribute(name);
    }
    copy.classList.remove("present", "past", "future");
    copy.dataset.continuation = "true";
    slide.after(copy);
    return copy;
  }

  /** Make the tallest block above the first allowed cut smaller, so that the part above fits;
   * false if no block can be made smaller. */
  function shrinkTallest(slide, limit) {
    const {cuts, blocks} = cutsOf(slide);
    const cut = cuts.find(c => mayCut(c, blocks));
    const end = cut ? cut.at : blocks.length;
    const excess = (cut ? heightAbove(slide, cut.before) : slide.scrollHeight) - limit;
    const targets = blocks.slice(0, end).map(block => {
      const figures = Array.from(block.querySelectorAll("img"));
      const texts = Array.from(block.querySelectorAll("pre"));
      const [target] = (figures.length ? figures : texts.length ? texts : [block])
        .sort((a, b) => b.offsetHeight - a.offsetHeight);
      if (!figures.length && getComputedStyle(target).display.startsWith("table")) return {room: 0};  // no max-height
      const smallest = figures.length ? SMALLEST_FIGURE : SMALLEST_BOX;
      return {target, room: target.offsetHeight - smallest, isFigure: figures.length > 0};
    }).filter(t => t.room > 1).sort((a, b) => b.room - a.room);
    if (targets.length === 0) return false;
    const {target, room, isFigure} = targets[0];
    target.style.boxSizing = "border-box";
    target.style.maxHeight = `${target.offsetHeight - Math.min(room, excess)}px`;
    if (!isFigure) target.style.overflowY = "auto";
    return true;
  }

  /** Fit one vertical slide: cut it into as many slides as it needs; returns how many were added. */
  function fitSlide(first, limit) {
    let slide = first, added = 0;
    for (let step = 0; slide.scrollHeight > limit + 1 && step < 60; step++) {
      const cut = bestCut(slide, limit);
      if (cut) {
        slide = cutBefore(slide, cut.before);
        slide.querySelectorAll(":scope > aside.notes").forEach(notes => first.append(notes));
        added++;
      } else if (!shrinkTallest(slide, limit)) {
        break;  // nothing left to shrink: the slide scrolls (SLIDE_CSS)
      }
    }
    return added;
  }

  const typeset = box => new Promise(done => {
    if (!window.MathJax || !MathJax.Hub) return done();
    MathJax.Hub.Queue(["Rerender", MathJax.Hub, box], done);
  });

  /** The slide an address asks for, {h, v, f}, if it is one of reveal.js's numbered addresses. */
  function numbered(address) {
    const match = /^#\/(\d+)(?:\/(\d+))?(?:\/(\d+))?\/?$/.exec(address);
    return match && {h: Number(match[1]), v: Number(match[2] || 0), f: match[3] && Number(match[3])};
  }

  /** Fit every slide, then show again what the lecturer asked for: the slide of the address the
   * deck was opened at (reveal.js writes addresses of the fitted deck: a reload or a bookmark
   * comes back to the same slide), or, if they moved meanwhile, the slide they moved to. */
  async function fitDeck(Reveal, address, moved) {
    const deck = document.querySelector(".reveal"), slides = deck.querySelector(".slides");
    deck.classList.add("fitting-slides");  // every slide laid out at once (SLIDE_CSS), to be measured
    await typeset(slides);  // math typeset while hidden has no real size
    await document.fonts.ready;
    const shown = Reveal.getCurrentSlide(), fragment = Reveal.getIndices().f;
    const limit = slides.offsetHeight;
    let added = 0;
    for (const slide of slides.querySelectorAll(":scope > section > section")) added += fitSlide(slide, limit);
    deck.classList.remove("fitting-slides");
    Reveal.sync();
    const asked = !moved() && numbered(address);
    if (asked) {
      Reveal.slide(asked.h, asked.v, asked.f);
    } else {
      const {h, v} = Reveal.getIndices(shown);
      Reveal.slide(h, v, fragment);
    }
    document.documentElement.dataset.slidesAdded = String(added);
    document.documentElement.dataset.slidesFitted = "true";
  }

  const address = location.hash;  // before reveal.js moves to the nearest slide the unfitted deck has
  const loaded = new Promise(done => {
    if (document.readyState === "complete") done(); else addEventListener("load", done, {once: true});
  });
  const mathReady = new Promise(done => {
    if (!window.MathJax || !MathJax.Hub) return done();
    // (a hook that returned the queue's callback would hold MathJax's startup: it returns nothing)
    MathJax.Hub.Register.StartupHook("End", () => { MathJax.Hub.Queue(done); });
  });
  require([revealModule], Reveal => {
    let moved = false;
    const ready = new Promise(done => (Reveal.isReady() ? done() : Reveal.on("ready", done))).then(() => {
      Reveal.on("slidechanged", () => { moved = true; });
    });
    Promise.all([ready, loaded, mathReady]).then(() => fitDeck(Reveal, address, () => moved));
  });
})();
