"""Byte-level BPE for the demo model: Llama-3 pre-tokenizer rules, GPT-2 byte-to-unicode alphabet, merges trained here.

The pre-tokenizer is a hand-written scanner equivalent to the Llama-3 regex
  (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
because Debian's python has no `regex` module (the stdlib `re` lacks \p{..}).
"""
import unicodedata
from collections import Counter

CONTRACTIONS_2 = ("re", "ve", "ll")
CONTRACTIONS_1 = ("s", "t", "m", "d")


def _is_letter(c):
    return unicodedata.category(c).startswith("L")


def _is_number(c):
    return unicodedata.category(c).startswith("N")


def _is_space(c):
    return c.isspace()


def pretokenize(text):
    """Splits text like the Llama-3 regex (alternatives tried in order at each position, leftmost-first)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        # 1. contractions, case-insensitive
        if c == "'" and i + 1 < n:
            two = text[i + 1:i + 3].lower()
            if two in CONTRACTIONS_2:
                out.append(text[i:i + 3]); i += 3; continue
            if text[i + 1].lower() in CONTRACTIONS_1:
                out.append(text[i:i + 2]); i += 2; continue
        # 2. optional non-letter/number/newline prefix, then letters
        start = i
        if not _is_letter(c) and not _is_number(c) and c not in "\r\n" and i + 1 < n and _is_letter(text[i + 1]):
            i += 1
        if _is_letter(text[i]):
            while i < n and _is_letter(text[i]):
                i += 1
            out.append(text[start:i]); continue
        i = start
        # 3. one to three digits
        if _is_number(c):
            j = i
            while j < n and j - i < 3 and _is_number(text[j]):
                j += 1
            out.append(text[i:j]); i = j; continue
        # 4. optional space, punctuation run, trailing newlines
        j = i + 1 if c == " " and i + 1 < n else i
        is_punct = lambda ch: not _is_space(ch) and not _is_letter(ch) and not _is_number(ch)
        if j < n and is_punct(text[j]):
            while j < n and is_punct(text[j]):
                j += 1
            while j < n and text[j] in "\r\n":
                j += 1
            out.append(text[i:j]); i = j; continue
        # 5-7. whitespace runs
        j = i
        while j < n and _is_space(text[j]):
            j += 1
        run = text[i:j]
        last_nl = max(run.rfind("\n"), run.rfind("\r"))
        if last_nl >= 0:
            out.append(text[i:i + last_nl + 1]); i += last_nl + 1; continue
        if j == n or j - i == 1:
            out.append(run); i = j; continue
        out.append(text[i:j - 1]); i = j - 1  # leave one space to prefix the next word
    return out


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map, ordered as Llama-3 numbers its byte tokens."""
    printable = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    chars = list(printable)
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return {b: chr(c) for b, c in zip(printable, chars)}


BYTE_TO_CHAR = bytes_to_unicode()
BYTE_TOKENS = list(BYTE_TO_CHAR.values())  # token id i = i-th byte character in Llama-3 order


def to_symbols(piece):
    return "".join(BYTE_TO_CHAR[b] for b in piece.encode("utf-8"))


def train_bpe(texts, n_merges):
    """Classic BPE on pre-tokenized words: repeatedly merge the most frequent adjacent pair (ties: smallest pair)."""
    words = Counter()
    for t in texts:
        for p in pretokenize(t):
            words[to_symbols(p)] += 1
    seqs = {w: list(w) for w in words}
    merges = []
    for _ in range(n_merges):
        pairs = Counter()
        for w, f in words.items():
            s = seqs[w]
            for a, b in zip(s, s[1:]):
                pairs[(a, b)] += f
        if not pairs:
            break
        best_count = max(pairs.values())
        if best_count < 2:
            break
        best = min(p for p, c in pairs.items() if c == best_count)
        merges.append(best)
        a, b = best
        for w in words:
            s = seqs[w]
            if len(s) < 2:
                continue
            out, k = [], 0
            while k < len(s):
                if k + 1 < len(s) and s[k] == a and s[k + 1] == b:
                    out.append(a + b); k += 2
                else:
                    out.append(s[k]); k += 1
            seqs[w] = out
    return merges


SPECIAL_NAMES = {0: "begin_of_text", 1: "end_of_text", 6: "start_header_id", 7: "end_header_id", 9: "eot_id"}


def special_tokens(count):
    """Llama-3's special tokens in their original numbering, the first `count` of them."""
    return ["<|%s|>" % SPECIAL_NAMES.get(i, "reserved_special_token_%d" % i) for i in range(count)]


class Tokenizer:
    def __init__(self, merges, n_special=16):
        self.merges = [tuple(m) for m in merges]
        self.ranks = {m: r for r, m in enumerate(self.merges)}
        self.tokens = BYTE_TOKENS + [a + b for a, b in self.merges]
        self.specials = special_tokens(n_special)
        self.special_base = len(self.tokens)
        self.tokens = self.tokens + self.specials
        self.ids = {t: i for i, t in enumerate(self.tokens)}
        assert len(self.ids) == len(self.tokens), "duplicate token (two merges produce the same string)"
        self.bos = self.ids["<|begin_of_text|>"]
        self.eos = self.ids["<|end_of_text|>"]
        self.eot = self.ids["<|eot_id|>"]
        self.cache = {}

    def _bpe(self, sym):
        if sym in self.cache:
            return self.cache[sym]
        parts = list(sym)
        while len(parts) > 1:
            best, best_rank = None, None
            for k in range(len(parts) - 1):
                r = self.ranks.get((parts[k], parts[k + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = k, r
            if best is None:
                break
            parts[best:best + 2] = [parts[best] + parts[best + 1]]
        ids = [self.ids[p] for p in parts]
        self.cache[sym] = ids
        return ids

    def encode(self, text):
        """Encodes text; special tokens written literally (e.g. <|eot_id|>) become their ids."""
        out = []
        i = 0
        while i < len(text):
            j = text.find("<|", i)
            k = text.find("|>", j) if j >= 0 else -1
            if j >= 0 and k >= 0 and text[j:k + 2] in self.ids and self.ids[text[j:k + 2]] >= self.special_base:
                seg, special = text[i:j], text[j:k + 2]
                i = k + 2
            else:
                seg, special = text[i:], None
                i = len(text)
            for p in pretokenize(seg):
                out.extend(self._bpe(to_symbols(p)))
            if special:
                out.append(self.ids[special])
        return out

    def decode(self, ids):
        char_to_byte = {c: b for b, c in BYTE_TO_CHAR.items()}
        out = bytearray()
        for i in ids:
            t = self.tokens[i]
            if i >= self.special_base:
                out += t.encode("utf-8")
            else:
                out += bytes(char_to_byte[c] for c in t)
        return out.decode("utf-8", errors="replace")
