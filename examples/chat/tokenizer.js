// A byte-level BPE tokenizer (GPT-2's scheme, as SmolLM2 and most Llama-family chat models
// use it) read from a Hugging Face tokenizer.json: special tokens matched whole, digits
// split one by one (the `Digits` pre-tokenizer, when the file has it), GPT-2's split
// pattern, bytes mapped to printable characters, then merges by rank. No dependencies; it
// runs in the browser and in Node.

// GPT-2's pre-tokenization pattern.
const SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

// Byte -> printable character, as GPT-2's bytes_to_unicode: printable Latin-1 bytes stay
// themselves, the others move to U+0100 and up.
function byteTable() {
  const keep = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const table = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(keep.includes(b) ? b : 256 + extra++);
  return table;
}

export class Tokenizer {
  /** `json`: the parsed tokenizer.json. */
  constructor(json) {
    const model = json.model;
    if (model?.type !== 'BPE') throw new Error(`a byte-level BPE tokenizer is needed, not ${model?.type}`);
    this.vocab = new Map(Object.entries(model.vocab));
    this.tokens = [];
    for (const [token, id] of this.vocab) this.tokens[id] = token;
    // Merges are "a b" strings in older files, [a, b] pairs in newer ones.
    this.ranks = new Map(model.merges.map((m, rank) => [Array.isArray(m) ? m.join(' ') : m, rank]));
    this.special = new Map();
    for (const t of json.added_tokens ?? []) {
      this.tokens[t.id] = t.content;
      if (t.special) this.special.set(t.content, t.id);
    }
    const pre = json.pre_tokenizer;
    const steps = pre?.type === 'Sequence' ? pre.pretokenizers : [pre];
    this.splitDigits = steps.some((s) => s?.type === 'Digits' && s.individual_digits);
    this.toChar = byteTable();
    this.toByte = new Map(this.toChar.map((c, b) => [c, b]));
    this.cache = new Map();
  }

  /** Token ids of `text`; special tokens written in it become their ids. */
  encode(text) {
    const ids = [];
    const names = [...this.special.keys()].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const parts = names.length ? text.split(new RegExp(`(${names.join('|')})`)) : [text];
    for (const part of parts) {
      if (this.special.has(part)) ids.push(this.special.get(part));
      else if (part) for (const word of this.preTokenize(part)) ids.push(...this.bpe(word));
    }
    return ids;
  }

  /** The text of token ids (special tokens included as written). */
  decode(ids) {
    const bytes = [];
    for (const id of ids) {
      const token = this.tokens[id] ?? '';
      if (this.special.has(token)) bytes.push(...new TextEncoder().encode(token));
      else for (const c of token) bytes.push(this.toByte.get(c) ?? 63);
    }
    return new TextDecoder().decode(new Uint8Array(bytes));
  }

  preTokenize(text) {
    const pieces = this.splitDigits ? text.split(/(\p{N})/u).filter(Boolean) : [text];
    const words = [];
    for (const piece of pieces) for (const m of piece.matchAll(SPLIT)) words.push(m[0]);
    return words;
  }

  // The ids of one pre-token: its bytes as characters, merged by rank.
  bpe(word) {
    const cached = this.cache.get(word);
    if (cached) return cached;
    let symbols = [...new TextEncoder().encode(word)].map((b) => this.toChar[b]);
    while (symbols.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      const merged = symbols[best] + symbols[best + 1];
      const next = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i + 1 < symbols.length && symbols[i] + symbols[i + 1] === merged && this.ranks.get(`${symbols[i]} ${symbols[i + 1]}`) === bestRank) {
          next.push(merged);
          i++;
        } else {
          next.push(symbols[i]);
        }
      }
      symbols = next;
    }
    const ids = symbols.map((s) => {
      const id = this.vocab.get(s);
      if (id === undefined) throw new Error(`no token for '${s}'`);
      return id;
    });
    this.cache.set(word, ids);
    return ids;
  }
}
