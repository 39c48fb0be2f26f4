/* kb search: the header search box.
 *
 * Asks the service first (GET /api/search: full typo correction, synonyms, whoosh); when the
 * service is down, missing or slow it searches the static index in search/ instead, fetching
 * only the few shards a query needs (meta.json, one vocabulary file per word's first letter,
 * one postings file per term, one documents file per 32 results).
 *
 * The static ranking here is the same algorithm as generator/search/static.py (StaticIndex),
 * with the analysis rules shipped in meta.json; tests/search/test_js_parity.py runs this file
 * in node and checks both rank every harness query identically.
 *
 * Results are built with createElement/textContent only: no HTML from data is ever parsed.
 * A `search` event (query, results, clicked, source) goes to KB.events when the person pauses,
 * presses Enter or clicks a result; never per keystroke.
 */
(function (root) {
  "use strict";

  // --- analysis (generator/search/analysis.py) ----------------------------------------------------
  function Analyzer(rules) {
    this.stop = new Set(rules.stop);
    this.suffixes = rules.suffixes;
    this.respell = rules.respell || {};
    this.minStem = rules.min_stem;
    this.minStemWord = rules.min_stem_word;
    this.maxWord = rules.max_word;
  }
  Analyzer.prototype.fold = function (text) {
    return String(text).toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/([a-z0-9])[-'\u2019](?=[a-z0-9])/g, "$1");
  };
  Analyzer.prototype.words = function (text) {
    var max = this.maxWord;
    return (this.fold(text).match(/[a-z0-9]+/g) || []).filter(function (w) { return w.length <= max; });
  };
  Analyzer.prototype.contentWords = function (text) {
    var stop = this.stop;
    return this.words(text).filter(function (w) { return !stop.has(w); });
  };
  Analyzer.prototype.stem = function (word, lang) {
    if (word.length < this.minStemWord || /^[0-9]+$/.test(word)) return word;
    var list = this.suffixes[lang] || [];
    for (var i = 0; i < list.length; i++) {
      var s = list[i];
      if (word.length - s.length >= this.minStem && word.slice(-s.length) === s) {
        var base = word.slice(0, -s.length), re = this.respell[lang] || [];
        for (var j = 0; j < re.length; j++) {  // [removed suffix starts with, stem ends with, write instead]
          var r = re[j];
          if (s.indexOf(r[0]) === 0 && base.slice(-r[1].length) === r[1] &&
              base.length - r[1].length + r[2].length >= this.minStem) return base.slice(0, -r[1].length) + r[2];
        }
        return base;
      }
    }
    return word;
  };
  Analyzer.prototype.stems = function (word) {
    var out = [];
    ["es", "en"].forEach(function (lang) {
      var s = this.stem(word, lang);
      if (out.indexOf(s) < 0) out.push(s);
    }, this);
    return out;
  };
  Analyzer.prototype.terms = function (text, lang) {
    return this.contentWords(text).map(function (w) { return this.stem(w, lang); }, this);
  };

  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var prev2 = [], prev = [], i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      var cur = [i], best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur.push(v);
        if (v < best) best = v;
      }
      if (best > limit) return limit + 1;
      prev2 = prev;
      prev = cur;
    }
    return Math.min(prev[b.length], limit + 1);
  }

  function maxEdits(word) { return word.length < 4 ? 0 : word.length < 8 ? 1 : 2; }

  // --- synonyms and query expansion (generator/search/query.py) -----------------------------------
  var MIN_LINK_STEM = 4;
  // A stem shorter than MIN_LINK_STEM links word and member only when they also share their first
  // four letters (or one is the other's start): "pasa"/"pass" (pas) and "pago"/"page" (pag) do not.
  function kin(an, word, member, stem) {
    if (an.stems(member).indexOf(stem) < 0) return false;
    var n = Math.min(MIN_LINK_STEM, word.length, member.length);
    return word.slice(0, n) === member.slice(0, n);
  }
  function Synonyms(groups, an) {
    var clean = [];
    groups.forEach(function (g) {
      var members = [];
      g.forEach(function (m) { an.words(m).forEach(function (w) { if (members.indexOf(w) < 0) members.push(w); }); });
      if (members.length > 1) clean.push(members);
    });
    var byStem = new Map();
    clean.forEach(function (members, i) {
      members.forEach(function (m) {
        an.stems(m).forEach(function (s) {
          var list = byStem.get(s);
          if (!list) byStem.set(s, list = []);
          if (list.indexOf(i) < 0) list.push(i);
        });
      });
    });
    this.groups = clean;
    this.byStem = byStem;
    this.an = an;
  }
  Synonyms.prototype.of = function (word) {
    var out = [], self = this;
    this.an.stems(word).forEach(function (s) {
      (self.byStem.get(s) || []).forEach(function (g) {
        if (s.length < MIN_LINK_STEM && !self.groups[g].some(function (m) { return kin(self.an, word, m, s); })) return;
        self.groups[g].forEach(function (m) { if (m !== word && out.indexOf(m) < 0) out.push(m); });
      });
    });
    return out;
  };

  // near(word, limit) -> Promise<[[word, edits, df], ...]>
  function expand(query, an, syn, weights, near) {
    var seen = [];
    an.contentWords(String(query).slice(0, weights.max_chars)).forEach(function (w) {
      if (seen.indexOf(w) < 0) seen.push(w);
    });
    seen = seen.slice(0, weights.max_words);
    return Promise.all(seen.map(function (word) {
      var limit = maxEdits(word);
      return (near && limit ? near(word, limit) : Promise.resolve(null)).then(function (found) {
        var variants = new Map();
        function add(term, weight, via) {
          var old = variants.get(term);
          if (!old || weight > old.weight) variants.set(term, { term: term, weight: weight, via: via });
        }
        an.stems(word).forEach(function (s) { add(s, 1.0, "word"); });
        var forms = [[word, 1.0]], corrected = [];
        if (found && !found.some(function (f) { return f[0] === word; })) {
          found.filter(function (f) { return f[1] > 0 && f[1] <= limit; })
            .sort(function (x, y) {
              return x[1] - y[1] || y[2] - x[2] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0);
            })
            .slice(0, weights.max_corrections)
            .forEach(function (f) {
              var w = weights.typo[String(f[1])];
              corrected.push(f[0]);
              forms.push([f[0], w]);
              an.stems(f[0]).forEach(function (s) { add(s, w, "typo"); });
            });
        }
        forms.forEach(function (fw) {
          syn.of(fw[0]).forEach(function (m) {
            an.stems(m).forEach(function (s) { add(s, fw[1] * weights.synonym, "synonym"); });
          });
        });
        return { word: word, variants: Array.from(variants.values()), corrected: corrected };
      });
    })).then(once);
  }

  // Each term searched for one query word only: the one giving it the most weight, the first on a tie.
  function once(words) {
    var owner = new Map();
    words.forEach(function (w, i) {
      w.variants.forEach(function (v) {
        var o = owner.get(v.term);
        if (!o || v.weight > o[0]) owner.set(v.term, [v.weight, i]);
      });
    });
    words.forEach(function (w, i) {
      w.variants = w.variants.filter(function (v) { return owner.get(v.term)[1] === i; });
    });
    return words;
  }

  function bestSymptom(candidates, words, lang, an) {
    var best = candidates.length ? candidates[0] : "", bestScore = 0;
    candidates.forEach(function (text) {
      var have = new Set(an.terms(text, lang));
      var score = 0;
      words.forEach(function (w) {
        var m = 0;
        w.variants.forEach(function (v) { if (have.has(v.term) && v.weight > m) m = v.weight; });
        score += m;
      });
      if (score > bestScore) { best = text; bestScore = score; }
    });
    return best;
  }

  // --- the static index (generator/search/static.py) ----------------------------------------------
  // load(relativePath) -> Promise<parsed JSON>; the index records what it asked for.
  function StaticIndex(load) {
    this.load = load;
    this.cache = new Map();
    this.fetched = [];
    this.ready = this.file("meta.json").then(function (meta) {
      this.meta = meta;
      this.an = new Analyzer(meta.rules);
      this.syn = new Synonyms(meta.synonyms, this.an);
      return this;
    }.bind(this));
  }
  StaticIndex.prototype.file = function (rel) {
    if (!this.cache.has(rel)) {
      this.fetched.push(rel);
      this.cache.set(rel, this.load(rel));
    }
    return this.cache.get(rel);
  };
  // A correctly spelled word (k/<hash bucket>.json, generator/search/lexicon.py) is never corrected.
  function bucket(word, buckets) {
    var h = 0, i;
    for (i = 0; i < word.length; i++) h = (Math.imul(h, 31) + word.charCodeAt(i)) >>> 0;
    return h % buckets;
  }
  StaticIndex.prototype.known = function (word) {
    var buckets = this.meta.known || 0;
    if (!buckets) return Promise.resolve(false);
    return this.file("k/" + bucket(word, buckets) + ".json").then(function (words) {
      return words.indexOf(word) >= 0;
    });
  };
  StaticIndex.prototype.near = function (word, limit) {
    if (this.meta.vocab.indexOf(word[0]) < 0) return Promise.resolve([]);
    var self = this;
    return this.vocabNear(word, limit).then(function (found) {
      if (!found.length || found.some(function (f) { return f[0] === word; })) return found;
      return self.known(word).then(function (isWord) { return isWord ? [[word, 0, 0]] : found; });
    });
  };
  StaticIndex.prototype.vocabNear = function (word, limit) {
    return this.file("v/" + word[0] + ".json").then(function (vocab) {
      var out = [];
      Object.keys(vocab).forEach(function (w) {
        if (Math.abs(w.length - word.length) <= limit) {
          var d = distance(word, w, limit);
          if (d <= limit) out.push([w, d, vocab[w]]);
        }
      });
      return out;
    });
  };
  StaticIndex.prototype.postings = function (term) {
    var b = this.meta.terms, lo = 0, hi = b.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (term < b[mid]) hi = mid; else lo = mid + 1; }
    if (lo === 0) return Promise.resolve([]);
    return this.file("t/" + (lo - 1) + ".json").then(function (shard) {
      return Object.prototype.hasOwnProperty.call(shard, term) ? shard[term] : [];
    });
  };
  // Which words to score within the byte budget (generator/search/static.py, StaticIndex.plan):
  // rarest first (document frequency from vocabulary files already fetched, then query order).
  StaticIndex.prototype.wordDf = function (word) {
    if (this.meta.vocab.indexOf(word[0]) < 0) return Promise.resolve(0);
    var rel = "v/" + word[0] + ".json";
    if (!this.cache.has(rel)) return Promise.resolve(Infinity);
    return this.cache.get(rel).then(function (vocab) {
      return Object.prototype.hasOwnProperty.call(vocab, word) ? vocab[word] : 0;
    });
  };
  StaticIndex.prototype.plan = function (words) {
    var self = this, sizes = this.meta.term_bytes, budget = this.meta.term_budget || 0;
    if (!sizes || !sizes.length || !budget) return Promise.resolve(words.map(function () { return true; }));
    return Promise.all(words.map(function (w) { return self.wordDf(w.word); })).then(function (dfs) {
      var order = words.map(function (w, i) { return i; });
      order.sort(function (a, b) { return dfs[a] === dfs[b] ? a - b : (dfs[a] < dfs[b] ? -1 : 1); });
      var keep = words.map(function () { return false; }), used = new Set(), total = 0, any = false;
      order.forEach(function (i) {
        var need = new Set();
        words[i].variants.forEach(function (v) {
          var s = self.shardOf(v.term);
          if (s >= 0 && !used.has(s)) need.add(s);
        });
        var cost = 0;
        need.forEach(function (s) { cost += sizes[s]; });
        if (any && total + cost > budget) return;
        keep[i] = true; any = true; total += cost;
        need.forEach(function (s) { used.add(s); });
      });
      return keep;
    });
  };
  StaticIndex.prototype.shardOf = function (term) {
    var b = this.meta.terms, lo = 0, hi = b.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (term < b[mid]) hi = mid; else lo = mid + 1; }
    return lo - 1;
  };
  StaticIndex.prototype.rank = function (words) {
    var self = this;
    return this.plan(words).then(function (keep) {
      words = words.filter(function (w, i) { return keep[i]; });
      return Promise.all(words.map(function (w) {
        return Promise.all(w.variants.map(function (v) { return self.postings(v.term); }));
      }));
    }).then(function (lists) {
      var scores = new Map();
      words.forEach(function (w, wi) {
        var best = new Map();
        w.variants.forEach(function (v, vi) {
          var flat = lists[wi][vi], num = 0;
          for (var i = 0; i < flat.length; i += 2) {
            num += flat[i];
            var s = v.weight * flat[i + 1];
            if (s > (best.get(num) || 0)) best.set(num, s);
          }
        });
        best.forEach(function (s, num) { scores.set(num, (scores.get(num) || 0) + s); });
      });
      var ranked = [];
      scores.forEach(function (s, num) { ranked.push([s, num]); });
      ranked.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
      return ranked;
    });
  };
  /* One result per page across its languages (generator/search/results.py, collapse): each family
   * keeps its member in `lang` if one matched, else its best, at the rank of its best member. */
  function collapse(ranked, versions, lang) {
    var family = new Map();
    (versions || []).forEach(function (v) { family.set(v[0], [v[1], v[2]]); });
    var groups = new Map();
    ranked.forEach(function (r) {
      var v = family.get(r[1]);
      var key = v ? "f" + v[0] : "d" + r[1];
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push([r[0], r[1], v ? v[1] : ""]);
    });
    var out = [];
    groups.forEach(function (members) {
      var chosen = members[0];
      if (lang) for (var i = 0; i < members.length; i++) if (members[i][2] === lang) { chosen = members[i]; break; }
      out.push([members[0][0], chosen[1]]);
    });
    return out;
  }

  StaticIndex.prototype.search = function (query, limit, lang) {
    var self = this;
    limit = limit || 10;
    return this.ready.then(function () {
      return expand(query, self.an, self.syn, self.meta.weights, self.near.bind(self));
    }).then(function (words) {
      return self.rank(words).then(function (all) {
        var ranked = collapse(all, self.meta.versions, lang || null);
        var per = self.meta.docs_per_shard, top = ranked.slice(0, limit);
        return Promise.all(top.map(function (r) {
          return self.file("d/" + Math.floor(r[1] / per) + ".json").then(function (rows) { return rows[r[1] % per]; });
        })).then(function (rows) {
          var corrected = {};
          words.forEach(function (w) { if (w.corrected.length) corrected[w.word] = w.corrected; });
          return {
            query: query, total: ranked.length, source: "static", corrected: corrected,
            results: rows.map(function (d, i) {
              return { id: d[0], type: d[1], audience: d[2], area: d[3], title: d[4], url: d[5],
                       score: Math.round(top[i][0] / 100 * 1e4) / 1e4, symptom: bestSymptom(d[7], words, d[6], self.an) };
            })
          };
        });
      });
    });
  };

  var api = { Analyzer: Analyzer, Synonyms: Synonyms, StaticIndex: StaticIndex, expand: expand, distance: distance,
              collapse: collapse };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  root.KB = root.KB || {};
  root.KB.search = api;
  if (typeof document === "undefined") return;

  // --- the header box -----------------------------------------------------------------------------
  var SERVER_TIMEOUT = 2500, DOWN_FOR = 60000, DEBOUNCE = 150, PAUSE = 1200, MIN_CHARS = 2;

  function setup() {
    var box = document.querySelector("[data-kb-search]");
    if (!box || box.getAttribute("data-ready")) return;
    box.setAttribute("data-ready", "1");
    var cfg = JSON.parse(box.querySelector("script[data-kb-search-config]").textContent);
    var pageLang = KB.lang() === "en" ? "en" : "es";
    /* A page in another language than the site's (a translation) gets the box in its own language. */
    var own = (cfg.languages || {})[pageLang];
    var S = own ? own.strings : cfg.strings, L = own ? own.labels : cfg.labels;
    var input = box.querySelector("input[name=q]"), list = box.querySelector("ol"),
      metaLine = box.querySelector("[data-kb-search-meta]"), toggle = document.getElementById("__search");
    if (own) {
      input.placeholder = S.placeholder;
      input.setAttribute("aria-label", S.label);
      metaLine.textContent = S.typing;
    }
    var base = new URL(box.getAttribute("data-base") + "/", location.href);
    var indexUrl = new URL(box.getAttribute("data-index"), location.href);
    var endpoint = cfg.endpoint ? new URL(cfg.endpoint, location.href) : null;
    var staticIndex = null, current = null, seq = 0, debounce = null, pause = null, sent = "", selected = -1;

    function staticSearch(q) {
      if (!staticIndex) {
        staticIndex = new StaticIndex(function (rel) {
          return fetch(new URL(rel, indexUrl), { credentials: "omit" }).then(function (r) {
            if (!r.ok) throw new Error("search index: " + r.status);
            return r.json();
          });
        });
        staticIndex.ready.catch(function () { staticIndex = null; });
      }
      return staticIndex.search(q, 10, pageLang);
    }
    function serverDown() {
      try { return Number(sessionStorage.getItem(KB.keys.searchDown) || 0) > Date.now(); } catch (e) { return false; }
    }
    function markDown() {
      try { sessionStorage.setItem(KB.keys.searchDown, String(Date.now() + DOWN_FOR)); } catch (e) { /* private mode */ }
    }
    function serverSearch(q) {
      var url = new URL(endpoint.href);
      url.searchParams.set("q", q);
      url.searchParams.set("limit", "10");
      url.searchParams.set("lang", pageLang);
      var ctl = window.AbortController ? new AbortController() : null;
      var timer = setTimeout(function () { if (ctl) ctl.abort(); }, SERVER_TIMEOUT);
      return fetch(url, { credentials: "omit", signal: ctl ? ctl.signal : undefined }).then(function (r) {
        clearTimeout(timer);
        if (!r.ok) throw new Error("search service: " + r.status);
        return r.json();
      }, function (e) { clearTimeout(timer); throw e; });
    }
    function search(q) {
      if (endpoint && !serverDown()) {
        return serverSearch(q).then(function (res) { res.source = "server"; return res; }, function () {
          markDown();
          return staticSearch(q).then(function (res) { res.offline = true; return res; });
        });
      }
      return staticSearch(q).then(function (res) { res.offline = !!endpoint; return res; });
    }

    var el = KB.el; // assets/kb/kb.js: text goes in with textContent
    function render(res) {
      current = res;
      selected = -1;
      list.textContent = "";
      list.setAttribute("data-query", res.query);
      var n = res.results.length;
      metaLine.textContent = n === 0 ? S.none : n === 1 ? S.one : S.many.replace("{n}", String(n));
      var fixes = Object.keys(res.corrected || {}).map(function (w) { return res.corrected[w][0]; });
      if (fixes.length) {
        metaLine.appendChild(el("span", { className: "kb-search__fix", text: " · " + S.corrected + ": " + fixes.join(", ") }));
      }
      if (res.offline) metaLine.appendChild(el("span", { className: "kb-search__offline", text: " · " + S.offline }));
      res.results.forEach(function (hit, i) {
        var badges = el("div", { className: "kb-search__badges" }, [
          el("span", { className: "kb-badge kb-badge--" + hit.type, text: L[hit.type] || hit.type }),
          hit.audience && el("span", { className: "kb-badge kb-badge--" + hit.audience, text: L[hit.audience] || hit.audience })
        ]);
        var symptom = hit.symptom && el("p", { className: "kb-search__symptom" }, [
          hit.type === "solution" && el("span", { className: "kb-search__symptom-label", text: S.symptom + ": " }),
          String(hit.symptom)
        ]);
        var art = el("article", { className: "md-search-result__article md-typeset kb-search__hit" },
          [badges, el("h2", { className: "kb-search__title", text: hit.title }), symptom]);
        // the listbox owns the links (role option), not list items
        var a = el("a", { className: "md-search-result__link kb-search__link", role: "option", "data-id": hit.id,
          id: "kb-search-opt-" + i, href: new URL(String(hit.url).replace(/^\/+/, ""), base).href,
          onclick: function () { track(hit.id); } }, [art]);
        list.appendChild(el("li", { className: "md-search-result__item", role: "none" }, [a]));
      });
      input.setAttribute("aria-expanded", n ? "true" : "false");
    }
    function track(clicked) {
      var q = input.value.trim();
      if (!current || !q || !window.KB || !KB.events) return;
      if (!clicked && sent === q) return;
      sent = q;
      KB.events.track("search", { query: q.slice(0, 200), results: current.results.length,
                                  clicked: clicked || null, source: current.source });
    }
    function run() {
      var q = input.value.trim(), mine = ++seq;
      clearTimeout(pause);
      if (q.length < MIN_CHARS) {
        current = null;
        list.textContent = "";
        metaLine.textContent = S.typing;
        return;
      }
      search(q).then(function (res) {
        if (mine !== seq) return;
        render(res);
        pause = setTimeout(function () { track(null); }, PAUSE);
      }, function () {
        if (mine === seq) { list.textContent = ""; metaLine.textContent = S.error; }
      });
    }
    function open() {
      if (toggle && !toggle.checked) { toggle.checked = true; toggle.dispatchEvent(new Event("change")); }
    }
    function close() {
      if (toggle && toggle.checked) { toggle.checked = false; toggle.dispatchEvent(new Event("change")); }
      input.blur();
    }
    function select(i) {
      var links = list.querySelectorAll("a");
      if (!links.length) return;
      selected = (i + links.length) % links.length;
      links.forEach(function (a, j) { a.setAttribute("aria-selected", j === selected ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", links[selected].id);
      links[selected].scrollIntoView({ block: "nearest" });
    }

    input.addEventListener("input", function () {
      clearTimeout(debounce);
      debounce = setTimeout(run, DEBOUNCE);
    });
    input.addEventListener("focus", open);
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        select(selected + (ev.key === "ArrowDown" ? 1 : -1));
      } else if (ev.key === "Escape") {
        close();
      }
    });
    box.querySelector("form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var links = list.querySelectorAll("a");
      var target = links[selected >= 0 ? selected : 0];
      if (target) {
        track(target.getAttribute("data-id"));
        location.href = target.href;
      } else {
        track(null);
      }
    });
    box.querySelector("form").addEventListener("reset", function () {
      current = null;
      list.textContent = "";
      metaLine.textContent = S.typing;
      close();
    });
    if (toggle) {
      toggle.addEventListener("change", function () {
        if (toggle.checked && document.activeElement !== input) setTimeout(function () { input.focus(); }, 50);
      });
    }
    document.addEventListener("keydown", function (ev) {
      var t = ev.target;
      var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (!typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey && (ev.key === "/" || ev.key === "s")) {
        ev.preventDefault();
        open();
        input.focus();
      }
    });
    var initial = new URLSearchParams(location.search).get("q");
    if (initial) {
      input.value = initial.slice(0, 200);
      open();
      input.focus();
      run();
    }
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})(typeof window !== "undefined" ? window : globalThis);
