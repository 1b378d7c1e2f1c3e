/* Bản tin search: reads ?q= from the URL, fetches only the index shards the query needs (see
   bulletin/search.py), keeps articles holding every word, and ranks exact tone-mark matches first,
   then whole phrases, then by weight. No server, no other host. */
(function () {
  "use strict";
  var box = document.getElementById("search-results");
  if (!box || !window.fetch || !window.TextEncoder) return;
  var WORD = /[\p{L}\p{N}]+/gu;
  var PAGE = 20;
  var strings = box.dataset;
  var status = box.querySelector(".search-status");
  var list = box.querySelector(".search-list");
  var more = box.querySelector(".search-more");

  /* Letters that are no letter with a mark, folded as search.py's fold() folds them (its
     table is slug.LETTERS, and ς as σ). */
  var LETTERS = {"đ": "d", "ð": "d", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss",
                 "ı": "i", "ς": "σ"};
  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "")
      .replace(/[đðłøæœßıς]/g, function (letter) { return LETTERS[letter]; }).normalize("NFC");
  }
  function words(text) {
    /* İ lower-cases to i and a dot above, which would split the word in two: read as I, it
       gives the folded form the index has (its exact form there keeps the İ). */
    return text.normalize("NFC").replace(/İ/g, "I").toLowerCase().match(WORD) || [];
  }
  var CRC = [];  /* CRC-32 (IEEE), as Python's zlib.crc32: a term's shard */
  for (var n = 0; n < 256; n++) {
    var c = n;
    for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    CRC[n] = c >>> 0;
  }
  function shardOf(term, shards) {
    var crc = 0xffffffff;
    var bytes = new TextEncoder().encode(term);
    for (var i = 0; i < bytes.length; i++) crc = CRC[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
    return ((crc ^ 0xffffffff) >>> 0) % shards;
  }
  /* A posting list is a string of numbers gap, count, gap, count, ... in base 32 with the
     base64url characters: the last digit of a number is one of the first 32 (A-Z a-f), the digits
     before it one of the other 32 (see bulletin/postings.py). */
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT = {};
  for (var d = 0; d < 64; d++) DIGIT[ALPHABET.charCodeAt(d)] = d;
  function postings(text) {  /* -> [[id, count], ...] */
    var out = [], numbers = [], value = 0, id = 0;
    for (var i = 0; i < text.length; i++) {
      var digit = DIGIT[text.charCodeAt(i)];
      if (digit >= 32) { value = value * 32 + digit - 32; continue; }
      numbers.push(value * 32 + digit);
      value = 0;
    }
    for (var j = 0; j + 1 < numbers.length; j += 2) { id += numbers[j]; out.push([id, numbers[j + 1]]); }
    return out;
  }
  function getJSON(url, options) {
    return fetch(url, options).then(function (response) {
      if (!response.ok) throw new Error(url + ": " + response.status);
      return response.json();
    });
  }
  function finish(text) {  /* the last word on a query; data-state lets tests wait for it */
    status.textContent = text;
    box.dataset.state = "done";
  }
  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }
  function highlighted(text, wanted) {  /* text as DOM nodes, query words in <mark> */
    var fragment = document.createDocumentFragment(), last = 0, match;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(text)) !== null) {
      if (wanted.has(fold(match[0]))) {
        fragment.append(text.slice(last, match.index));
        var mark = document.createElement("mark");
        mark.textContent = match[0];
        fragment.append(mark);
        last = match.index + match[0].length;
      }
    }
    fragment.append(text.slice(last));
    return fragment;
  }

  var query = (new URLSearchParams(window.location.search).get("q") || "").trim();
  document.querySelectorAll('input[name="q"]').forEach(function (input) { input.value = query; });
  if (!query) { finish(strings.hint); return; }
  var typed = words(query).slice(0, 12);
  if (!typed.length) { finish(say(strings.none, {q: query})); return; }
  var folded = typed.map(fold);
  var marked = typed.some(function (word, i) { return word !== folded[i]; });
  var wanted = new Set(folded);
  status.textContent = strings.loading;
  box.dataset.state = "loading";
  var base = box.dataset.index;

  getJSON(base + "meta.json", {cache: "no-cache"}).then(function (meta) {
    var version = "?v=" + meta.version;
    var terms = Array.from(wanted);
    var pairs = [];
    for (var i = 0; i + 1 < folded.length; i++) pairs.push(folded[i] + " " + folded[i + 1]);
    var shards = {};
    var needed = new Set(terms.concat(pairs).map(function (t) { return shardOf(t, meta.shards); }));
    return Promise.all(Array.from(needed).map(function (n) {
      return getJSON(base + "t/" + n + ".json" + version).then(function (data) { shards[n] = data; });
    })).then(function () {
      function lookup(term) { return shards[shardOf(term, meta.shards)][term]; }
      var found = null;  /* id -> {score, exact, phrase} */
      terms.forEach(function (term) {
        var exactForms = new Set(typed.filter(function (w, i) { return folded[i] === term; }));
        var entry = lookup(term) || {};
        var here = new Map();
        Object.keys(entry).forEach(function (form) {
          var exact = marked && exactForms.has(form);
          postings(entry[form]).forEach(function (pair) {
            var seen = here.get(pair[0]) || {tf: 0, exact: false};
            seen.tf += pair[1];
            seen.exact = seen.exact || exact;
            here.set(pair[0], seen);
          });
        });
        var idf = Math.log(1 + meta.docs / Math.max(1, here.size));
        var next = new Map();
        here.forEach(function (seen, id) {
          var before = found === null ? {score: 0, exact: 0, phrase: 0} : found.get(id);
          if (!before) return;
          next.set(id, {score: before.score + idf * seen.tf / (seen.tf + 2),
                        exact: before.exact + (seen.exact ? 1 : 0), phrase: 0});
        });
        found = next;
      });
      pairs.forEach(function (pair) {
        var entry = lookup(pair);
        if (!entry) return;
        var hits = postings(entry);
        var idf = Math.log(1 + meta.docs / hits.length);
        hits.forEach(function (hit) {
          var doc = found.get(hit[0]);
          if (doc) { doc.phrase += 1; doc.score += idf * hit[1] / (hit[1] + 2); }
        });
      });
      var ranked = Array.from(found.entries()).sort(function (a, b) {
        return b[1].exact - a[1].exact || b[1].phrase - a[1].phrase ||
          b[1].score - a[1].score || b[0] - a[0];
      }).map(function (entry) { return entry[0]; });
      show(meta, ranked, 0, version);
    });
  }).catch(function () { finish(strings.error); });

  /* focus: move keyboard focus to the first new result's link (after "more", which hides
     itself while focused: focus would fall to <body>, and Tab skip the new results). */
  function show(meta, ranked, start, version, focus) {
    if (!ranked.length) { finish(say(strings.none, {q: query})); return; }
    var ids = ranked.slice(start, start + PAGE);
    var chunks = Array.from(new Set(ids.map(function (id) { return Math.floor(id / meta.chunk); })));
    var rows = {};
    Promise.all(chunks.map(function (n) {
      return getJSON(base + "d/" + n + ".json" + version).then(function (data) { rows[n] = data; });
    })).then(function () {
      var first = null;
      ids.forEach(function (id) {
        var row = rows[Math.floor(id / meta.chunk)][id % meta.chunk];
        var item = document.createElement("li");
        item.className = "search-hit";
        var title = document.createElement("h2");
        title.className = "search-hit-title";
        var link = document.createElement("a");
        link.href = row[0];
        link.append(highlighted(row[1], wanted));
        title.append(link);
        if (!first) first = link;
        var date = document.createElement("p");
        date.className = "search-hit-meta";
        date.textContent = row[2];
        var summary = document.createElement("p");
        summary.className = "search-hit-summary";
        summary.append(highlighted(row[3], wanted));
        item.append(title, date, summary);
        list.append(item);
      });
      finish(say(strings.count, {n: ranked.length, q: query}));
      var left = ranked.length - start - ids.length;
      more.hidden = left <= 0;
      /* unless the reader moved on meanwhile (into the search box, say) */
      var waiting = document.activeElement === more || document.activeElement === document.body;
      if (focus && first && waiting) first.focus();
      more.onclick = function () {
        more.hidden = true;
        show(meta, ranked, start + PAGE, version, true);
      };
    }).catch(function () {
      finish(strings.error);
      if (focus) {  /* "more" again, to try once more, with the focus it had */
        var waiting = document.activeElement === more || document.activeElement === document.body;
        more.hidden = false;
        if (waiting) more.focus();
      }
    });
  }
})();
