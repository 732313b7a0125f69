"""Makes reference fixtures with Hugging Face transformers (run on a machine with torch + transformers).

Usage: python3 make_hf_fixtures.py OUT_DIR [TOKENIZER_DIR]

For each architecture below it builds a random-weight model from a config written in code (no
network), stores bf16 weights in Hugging Face layout, and the float32 outputs of transformers for
them, in the same layout as ../shared/fixtures/hf-reference. With TOKENIZER_DIR (folders holding
real tokenizer.json + tokenizer_config.json), it also renders chat templates with
apply_chat_template into chat-renders.json.
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file

ARCHS = {
    # Qwen3: per-head q/k RMSNorm, explicit head_dim different from hidden/heads, untied head.
    "qwen3": dict(seed=3, config={
        "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3",
        "vocab_size": 640, "hidden_size": 96, "intermediate_size": 192, "num_hidden_layers": 3,
        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32,
        "max_position_embeddings": 256, "rms_norm_eps": 1e-6, "hidden_act": "silu",
        "rope_theta": 1000000.0, "rope_scaling": None, "tie_word_embeddings": False,
        "attention_bias": False, "use_sliding_window": False, "sliding_window": None,
        "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "bfloat16", "initializer_range": 0.08}),
    # Llama 3.1 rope scaling with a small original context so all three frequency bands occur.
    "llama31": dict(seed=7, config={
        "architectures": ["LlamaForCausalLM"], "model_type": "llama",
        "vocab_size": 768, "hidden_size": 128, "intermediate_size": 256, "num_hidden_layers": 2,
        "num_attention_heads": 8, "num_key_value_heads": 2, "head_dim": 16,
        "max_position_embeddings": 512, "rms_norm_eps": 1e-5, "hidden_act": "silu",
        "rope_theta": 500000.0,
        "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                         "high_freq_factor": 4.0, "original_max_position_embeddings": 64},
        "tie_word_embeddings": True, "attention_bias": False, "mlp_bias": False,
        "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "bfloat16", "initializer_range": 0.08}),
    # Mistral: multi-query attention, explicit head_dim, and a sliding window shorter than the
    # fixture sequence so that the window is exercised.
    "mistral": dict(seed=11, config={
        "architectures": ["MistralForCausalLM"], "model_type": "mistral",
        "vocab_size": 500, "hidden_size": 64, "intermediate_size": 224, "num_hidden_layers": 3,
        "num_attention_heads": 4, "num_key_value_heads": 1, "head_dim": 32,
        "max_position_embeddings": 256, "rms_norm_eps": 1e-5, "hidden_act": "silu",
        "rope_theta": 10000.0, "sliding_window": 16, "tie_word_embeddings": False,
        "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "bfloat16", "initializer_range": 0.08}),
}


def make_model(name, spec, out):
    from transformers import AutoConfig, AutoModelForCausalLM
    torch.manual_seed(spec["seed"])
    cfg_dict = spec["config"]
    config = AutoConfig.for_model(**{k: v for k, v in cfg_dict.items() if k != "architectures"})
    config._attn_implementation = "eager"
    model = AutoModelForCausalLM.from_config(config, torch_dtype=torch.float32)
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if "norm" in pname:
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
            elif pname.endswith(".bias"):
                p.copy_(0.05 * torch.randn_like(p))
        # Round parameters (not buffers: model.to(bf16) would also round RoPE's inv_freq) to bf16.
        for p in model.parameters():
            p.copy_(p.to(torch.bfloat16).to(torch.float32))
    model = model.eval()
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    state = {k: v.to(torch.bfloat16).contiguous() for k, v in model.state_dict().items()}
    if cfg_dict["tie_word_embeddings"]:
        state.pop("lm_head.weight", None)
    save_file(state, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg_dict, f, indent=2)

    g = torch.Generator().manual_seed(spec["seed"] + 100)
    vocab = cfg_dict["vocab_size"]
    input_ids = torch.randint(3, vocab, (37,), generator=g)
    greedy_prompt = torch.randint(3, vocab, (10,), generator=g)
    with torch.no_grad():
        logits = model(input_ids[None]).logits[0].float()
        ids = greedy_prompt.tolist()
        for _ in range(24):
            nxt = model(torch.tensor([ids])).logits[0, -1].argmax().item()
            ids.append(nxt)
    save_file({"input_ids": input_ids.to(torch.int64), "logits": logits.contiguous(),
               "greedy_prompt": greedy_prompt.to(torch.int64),
               "greedy_output": torch.tensor(ids[10:], dtype=torch.int64)},
              os.path.join(d, "expected.safetensors"))
    print(name, "done", logits.shape, ids[10:])


CONVERSATIONS = [
    {"messages": [{"role": "user", "content": "Hello!"}]},
    {"messages": [{"role": "system", "content": "You are terse."},
                  {"role": "user", "content": "What is 2+2?"},
                  {"role": "assistant", "content": "4"},
                  {"role": "user", "content": "  And 3+3?  "}]},
    {"messages": [{"role": "user", "content": "Héllo, 世界 — \"quotes\" and\nnew lines"},
                  {"role": "assistant", "content": "<think>\nhmm\n</think>\n\nHi there."},
                  {"role": "user", "content": "again"}]},
    {"messages": [{"role": "system", "content": "Use tools."},
                  {"role": "user", "content": "Weather in Paris?"}],
     "tools": [{"type": "function", "function": {
         "name": "get_weather", "description": "Get the weather, in Celsius.",
         "parameters": {"type": "object", "properties": {
             "city": {"type": "string", "description": "City name, e.g. \"Paris\""},
             "days": {"type": "integer"}}, "required": ["city"]}}}]},
    {"messages": [{"role": "user", "content": "Continue"}], "add_generation_prompt": False},
]


def render_templates(tok_root, out):
    from transformers import AutoTokenizer
    renders = []
    for name in sorted(os.listdir(tok_root)):
        tok = AutoTokenizer.from_pretrained(os.path.join(tok_root, name))
        for i, conv in enumerate(CONVERSATIONS):
            agp = conv.get("add_generation_prompt", True)
            kwargs = {"date_string": "26 Jul 2024"}
            try:
                text = tok.apply_chat_template(conv["messages"], tools=conv.get("tools"),
                                               tokenize=False, add_generation_prompt=agp, **kwargs)
                err = None
            except Exception as e:  # templates that refuse a conversation are fixtures too
                text, err = None, str(e)
            renders.append({"template": name, "case": i, "messages": conv["messages"],
                            "tools": conv.get("tools"), "add_generation_prompt": agp,
                            "kwargs": kwargs, "rendered": text, "error": err})
        if name.startswith("qwen3"):
            conv = CONVERSATIONS[2]
            text = tok.apply_chat_template(conv["messages"], tokenize=False, add_generation_prompt=True,
                                           enable_thinking=False)
            renders.append({"template": name, "case": 100, "messages": conv["messages"], "tools": None,
                            "add_generation_prompt": True, "kwargs": {"enable_thinking": False},
                            "rendered": text, "error": None})
        samples = ["Hello world", "  leading spaces\tand tabs\nnew lines", "Unicode: café 中文 😀",
                   "numbers 1234567 and 3.14159"]
        renders.append({"template": name, "case": "encode", "texts": samples,
                        "ids": [tok.encode(s, add_special_tokens=True) for s in samples]})
    with open(os.path.join(out, "chat-renders.json"), "w") as f:
        json.dump(renders, f, indent=1, ensure_ascii=False)
    print("renders", len(renders))


if __name__ == "__main__":
    import transformers
    print("transformers", transformers.__version__, "torch", torch.__version__)
    out = sys.argv[1]
    for n, s in ARCHS.items():
        make_model(n, s, out)
    if len(sys.argv) > 2:
        render_templates(sys.argv[2], out)
