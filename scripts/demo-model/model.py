"""BitNet b1.58 (`bitnet-b1.58` architecture) in torch, with the quantised forward pass Trit's engine computes.

Every linear layer is a BitLinear: weights ternary with one absmean scale per tensor, activations int8 absmax per
token, straight-through gradients. Norm weights stay float; the tied embedding is stored as F16 in the GGUF.
"""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


def ternary(w):
    """Absmean ternary quantisation: scale = mean|W|, codes = clamp(round(W / scale), -1, 1)."""
    scale = w.abs().mean().clamp(min=1e-5)
    codes = torch.clamp(torch.round(w / scale), -1, 1)
    return codes, scale


def quantize_activations(x):
    """Per-token int8 absmax as the engine does: s = 127 / max|x| (max floored at 1e-5), q = clamp(round(x * s))."""
    amax = x.abs().amax(dim=-1, keepdim=True).clamp(min=1e-5)
    s = 127.0 / amax
    q = torch.clamp(torch.round(x * s), -128, 127)
    return q, s


class BitLinear(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_out, n_in) / math.sqrt(n_in))

    def forward(self, x):
        codes, wscale = ternary(self.weight)
        w_q = self.weight + (codes * wscale - self.weight).detach()
        q, s = quantize_activations(x)
        x_q = x + (q / s - x).detach()
        return F.linear(x_q, w_q)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_neox(x, base):
    """NEOX rotation: dims i and i + d/2 form a pair, angle pos * base^(-2i/d). x: [B, H, T, d]."""
    d = x.shape[-1]
    half = d // 2
    inv = base ** (-torch.arange(0, half, dtype=torch.float64) * 2 / d)
    ang = torch.arange(x.shape[-2], dtype=torch.float64)[:, None] * inv[None, :]
    cos, sin = ang.cos().float(), ang.sin().float()
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        e, hd = cfg["embd"], cfg["embd"] // cfg["heads"]
        self.cfg = cfg
        self.attn_norm = RMSNorm(e, cfg["eps"])
        self.attn_q = BitLinear(e, e)
        self.attn_k = BitLinear(e, hd * cfg["heads_kv"])
        self.attn_v = BitLinear(e, hd * cfg["heads_kv"])
        self.attn_output = BitLinear(e, e)
        self.attn_sub_norm = RMSNorm(e, cfg["eps"])
        self.ffn_norm = RMSNorm(e, cfg["eps"])
        self.ffn_gate = BitLinear(e, cfg["ff"])
        self.ffn_up = BitLinear(e, cfg["ff"])
        self.ffn_down = BitLinear(cfg["ff"], e)
        self.ffn_sub_norm = RMSNorm(cfg["ff"], cfg["eps"])

    def forward(self, x, mask):
        c = self.cfg
        B, T, E = x.shape
        H, KV = c["heads"], c["heads_kv"]
        hd = E // H
        h = self.attn_norm(x)
        q = self.attn_q(h).view(B, T, H, hd).transpose(1, 2)
        k = self.attn_k(h).view(B, T, KV, hd).transpose(1, 2)
        v = self.attn_v(h).view(B, T, KV, hd).transpose(1, 2)
        q, k = rope_neox(q, c["rope_base"]), rope_neox(k, c["rope_base"])
        k = k.repeat_interleave(H // KV, dim=1)  # query head j uses KV head j // (H / KV), as ggml broadcasts
        v = v.repeat_interleave(H // KV, dim=1)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(hd) + mask
        a = (att.softmax(-1) @ v).transpose(1, 2).reshape(B, T, E)
        x = x + self.attn_output(self.attn_sub_norm(a))
        h = self.ffn_norm(x)
        f = F.relu(self.ffn_gate(h)).pow(2) * self.ffn_up(h)
        return x + self.ffn_down(self.ffn_sub_norm(f))


class BitNet(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.token_embd = nn.Parameter(torch.randn(cfg["vocab"], cfg["embd"]) * 0.02)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg["layers"]))
        self.output_norm = RMSNorm(cfg["embd"], cfg["eps"])

    def forward(self, ids):
        T = ids.shape[1]
        mask = torch.full((T, T), float("-inf")).triu(1)
        x = F.embedding(ids, self.token_embd)
        for b in self.blocks:
            x = b(x, mask)
        return self.output_norm(x) @ self.token_embd.t()
