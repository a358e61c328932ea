"""Trains Trit's embedded demo model (BitNet b1.58, quantisation-aware) and dumps everything export.ts needs.

  nice -n 10 /usr/bin/python3 scripts/demo-model/train.py --out scripts/demo-model/build [--steps N] [--seed S]

Outputs in --out: tokenizer.json, weights.bin + manifest.json (ternary codes + scales, norms, f32 embedding),
eval.json (greedy answers of the quantised model), train.log lines on stdout; and the expected logits for the engine
check in test/demo-model/. One thread, deterministic for a given seed.
"""
import argparse, json, math, os, random, struct, sys, time
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data
from model import BitNet, ternary
from tokenizer import Tokenizer, train_bpe

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

CFG = dict(embd=128, layers=4, heads=2, heads_kv=1, ff=512, eps=1e-5, rope_base=500000.0, ctx=256)

EVAL_PROMPTS = [
    ("What is 7 plus 5?", "12"),
    ("Who are you?", "small demo model running offline"),
    ("What is 9 minus 4?", "5"),
    ("Hello", "Hello"),
    ("Spell cat.", "C-A-T"),
    ("Count to 5.", "1, 2, 3, 4, 5."),
    ("What is the capital of France?", "Paris"),
    ("What can you do?", "add and subtract"),
    ("Can you browse the web?", "cannot"),
    ("What is 3 times 4?", "12"),
]


def encode_conversation(tok, segs):
    """Segments are tokenised one by one, as the app tokenises a prompt ending in 'Assistant: ' before generating."""
    ids, mask = [], []
    for text, is_reply in segs:
        t = tok.encode(text)
        ids += t
        mask += [1 if is_reply else 0] * len(t)
    return ids, mask


def make_batch(tok, rng, batch, ctx):
    rows = [encode_conversation(tok, data.conversation(rng)) for _ in range(batch)]
    T = min(ctx, max(len(r[0]) for r in rows))
    ids = torch.full((batch, T), tok.eot, dtype=torch.long)
    tgt_mask = torch.zeros((batch, T), dtype=torch.bool)
    for i, (r, m) in enumerate(rows):
        r, m = r[:T], m[:T]
        ids[i, :len(r)] = torch.tensor(r)
        tgt_mask[i, :len(m)] = torch.tensor(m, dtype=torch.bool)
    return ids, tgt_mask


@torch.no_grad()
def greedy(model, tok, prompt_text, max_new=40):
    ids = tok.encode("<|begin_of_text|>") + tok.encode("User: " + prompt_text + "<|eot_id|>Assistant: ")
    out = []
    for _ in range(max_new):
        nxt = int(model(torch.tensor([ids + out]))[0, -1].argmax())
        if nxt == tok.eot:
            break
        out.append(nxt)
    return tok.decode(out)


@torch.no_grad()
def evaluate(model, tok):
    model.eval()
    res = {"prompts": [], "plus_correct": 0, "plus_total": 0, "minus_correct": 0, "minus_total": 0}
    for p, want in EVAL_PROMPTS:
        got = greedy(model, tok, p)
        res["prompts"].append({"prompt": p, "reply": got, "expect_substring": want, "ok": want in got})
    for a in range(11):
        for b in range(11):
            res["plus_total"] += 1
            res["plus_correct"] += greedy(model, tok, "What is %d plus %d?" % (a, b), 4) == str(a + b)
            if b <= a:
                res["minus_total"] += 1
                res["minus_correct"] += greedy(model, tok, "What is %d minus %d?" % (a, b), 4) == str(a - b)
    model.train()
    return res


def round_embedding_to_f16(model):
    """The GGUF stores the tied embedding as F16; make the Python model use exactly those values."""
    with torch.no_grad():
        model.token_embd.copy_(model.token_embd.half().float())


def dump_weights(model, out_dir):
    """weights.bin: tensors back to back; manifest.json: name, ggml type, ggml shape, byte offset, scale."""
    entries, blobs, offset = [], [], 0

    def add(name, kind, shape, arr, scale=None):
        nonlocal offset
        b = arr.contiguous().numpy().tobytes()
        e = {"name": name, "kind": kind, "shape": shape, "offset": offset, "bytes": len(b)}
        if scale is not None:
            e["scale"] = scale
        entries.append(e)
        blobs.append(b)
        offset += len(b)

    c = model.cfg
    add("token_embd.weight", "f16-from-f32", [c["embd"], c["vocab"]], model.token_embd.detach().float())
    for l, blk in enumerate(model.blocks):
        p = "blk.%d." % l
        for nm in ["attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "attn_sub_norm",
                   "ffn_norm", "ffn_gate", "ffn_up", "ffn_down", "ffn_sub_norm"]:
            mod = getattr(blk, nm)
            w = mod.weight.detach()
            if w.dim() == 1:
                add(p + nm + ".weight", "f32", [w.shape[0]], w.float())
            else:
                codes, scale = ternary(w)
                # torch's [out, in] is ggml's {ne0 = in, ne1 = out}; element f = out_row * in + col in both.
                add(p + nm + ".weight", "ternary-i8", [w.shape[1], w.shape[0]], codes.to(torch.int8), float(scale))
    add("output_norm.weight", "f32", [c["embd"]], model.output_norm.weight.detach().float())
    with open(os.path.join(out_dir, "weights.bin"), "wb") as f:
        for b in blobs:
            f.write(b)
    return entries


def export_quantised_copy(model):
    """A copy whose BitLinear weights are exactly codes * scale (so ternary() reproduces the exported codes)."""
    import copy
    q = copy.deepcopy(model)
    with torch.no_grad():
        for blk in q.blocks:
            for m in blk.modules():
                if hasattr(m, "weight") and m.weight.dim() == 2:
                    codes, scale = ternary(m.weight)
                    m.weight.copy_(codes * scale)
    return q


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(REPO, "scripts/demo-model/build"))
    ap.add_argument("--steps", type=int, default=420)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--merges", type=int, default=1200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--finish-from", help="skip training: export and evaluate this checkpoint.pt")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    t0 = time.time()

    merges = train_bpe(data.corpus_for_bpe(args.seed), args.merges)
    tok = Tokenizer(merges)
    cfg = dict(CFG, vocab=len(tok.tokens))
    print("bpe: %d merges, vocab %d (%.1fs)" % (len(merges), len(tok.tokens), time.time() - t0), flush=True)
    with open(os.path.join(args.out, "tokenizer.json"), "w") as f:
        json.dump({"tokens": tok.tokens, "merges": [a + " " + b for a, b in merges], "special_base": tok.special_base,
                   "bos": tok.bos, "eos": tok.eot, "eot": tok.eot}, f, ensure_ascii=False)

    model = BitNet(cfg)
    if args.finish_from:
        ck = torch.load(args.finish_from)
        model.load_state_dict(ck["model"])
        args.steps = ck["step"]
        n = sum(p.numel() for p in model.parameters())
        finish(model, tok, cfg, args, n, ck.get("tokens", 0), ck.get("seconds", 0))
        return
    n_params = sum(p.numel() for p in model.parameters())
    print("model %s: %d parameters" % (json.dumps(cfg), n_params), flush=True)
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))
    rng = random.Random(args.seed + 1000)
    warmup = 40
    seen_tokens = 0
    for step in range(1, args.steps + 1):
        lr = args.lr * min(1.0, step / warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / args.steps)))
        for g in opt.param_groups:
            g["lr"] = lr
        ids, mask = make_batch(tok, rng, args.batch, cfg["ctx"])
        logits = model(ids[:, :-1])
        tgt = ids[:, 1:]
        m = mask[:, 1:]
        loss = F.cross_entropy(logits[m], tgt[m])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        seen_tokens += ids.numel()
        if step % 20 == 0 or step == 1:
            el = time.time() - t0
            print("step %d loss %.4f lr %.2e tokens %d elapsed %.0fs" % (step, loss.item(), lr, seen_tokens, el), flush=True)
        if step % 50 == 0 or step == args.steps:
            torch.save({"model": model.state_dict(), "cfg": cfg, "step": step, "tokens": seen_tokens,
                        "seconds": round(time.time() - t0)}, os.path.join(args.out, "checkpoint.pt"))
    finish(model, tok, cfg, args, n_params, seen_tokens, time.time() - t0)


def finish(model, tok, cfg, args, n_params, seen_tokens, train_seconds):
    round_embedding_to_f16(model)
    qmodel = export_quantised_copy(model)
    qmodel.eval()
    entries = dump_weights(qmodel, args.out)
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump({"config": cfg, "tensors": entries, "seed": args.seed, "steps": args.steps, "batch": args.batch,
                   "parameters": n_params, "train_tokens": seen_tokens, "train_seconds": round(train_seconds)}, f, indent=1)
    res = evaluate(qmodel, tok)
    with open(os.path.join(args.out, "eval.json"), "w") as f:
        json.dump(res, f, indent=1)
    print(json.dumps(res, indent=1), flush=True)
    save_expected_logits(qmodel, tok)


@torch.no_grad()
def save_expected_logits(model, tok):
    seqs = [
        tok.encode("<|begin_of_text|>") + tok.encode("User: What is 7 plus 5?<|eot_id|>Assistant: "),
        tok.encode("<|begin_of_text|>") + tok.encode("User: Who are you?<|eot_id|>Assistant: "),
        tok.encode("<|begin_of_text|>") + tok.encode("System: Answer briefly.") + tok.encode("User: Spell cat.<|eot_id|>Assistant: C-A-T.<|eot_id|>"),
    ]
    out_dir = os.path.join(REPO, "test/demo-model")
    os.makedirs(out_dir, exist_ok=True)
    meta = {"model": "public/models/trit-demo.gguf", "vocab_size": model.cfg["vocab"], "sequences": [],
            "file": "expected-logits.f32",
            "format": "little-endian float32, per sequence [len(ids)][vocab_size] row-major, sequences back to back",
            "tolerance": {"max_abs_diff": 0.05, "min_pearson": 0.9995, "top1_must_match_when_margin_above": 0.1},
            "note": "Logits of the training framework's quantised forward (ternary weights as exported, int8 absmax "
                    "activations, f16-rounded embedding, f32 elsewhere), no BOS added beyond the ids listed."}
    with open(os.path.join(out_dir, "expected-logits.f32"), "wb") as f:
        for ids in seqs:
            logits = model(torch.tensor([ids]))[0].float()
            f.write(logits.contiguous().numpy().astype("<f4").tobytes())
            meta["sequences"].append({"ids": ids, "text": tok.decode(ids)})
    with open(os.path.join(out_dir, "expected-logits.json"), "w") as f:
        json.dump(meta, f, indent=1, ensure_ascii=False)
    # Prompts for the acceptance check, pre-tokenised so the check does not depend on a tokenizer implementation.
    prompts = [{"prompt": p, "ids": tok.encode("<|begin_of_text|>") + tok.encode("User: " + p + "<|eot_id|>Assistant: "),
                "expect_substring": want} for p, want in EVAL_PROMPTS]
    with open(os.path.join(out_dir, "prompts.json"), "w") as f:
        json.dump({"eot_id": tok.eot, "prompts": prompts}, f, indent=1)


if __name__ == "__main__":
    main()
