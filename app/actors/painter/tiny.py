"""Tiny random-weight models of the real classes, built offline in seconds, for tests, CI and demos.

``make_tiny(DIR)`` writes (seeded, deterministic, ~10 MB in all)::

    DIR/inpaint/          StableDiffusionInpaintPipeline folder (9-channel UNet, VAE, CLIP text encoder +
                          CLIPTokenizer from a handmade vocab/merges, PNDM scheduler config like SD 1.5)
    DIR/segformer/        SegformerForSemanticSegmentation with ADE20K's 150 labels ("wall" is id 0,
                          "windowpane" id 8: see below)
    DIR/translator/       MarianMTModel ko→en + MarianTokenizer (sentencepiece models trained here)
    DIR/loras/<slug>.safetensors   one non-zero LoRA per theme slug (nature urban play ocean animals space)
    DIR/lcm/pytorch_lora_weights.safetensors   a stand-in LCM-LoRA so fast mode runs on tiny models
    DIR/controlnet-lines/, DIR/controlnet-depth/   ControlNets for the tiny UNet (see ``tiny_guides``)
    DIR/depth/            a tiny Depth Anything depth model + DPT image processor
    DIR/safety/           diffusers' StableDiffusionSafetyChecker + CLIP image processor that flags images
                          which are mostly strong red (see ``tiny_safety``); added to older folders in place
    DIR/READY             written last: a folder without it is incomplete

The tiny inpainting UNet's native resolution is 128 px (sample_size 16 × VAE factor 8), so jobs are fast.

What the tiny SegFormer "sees": its weights are set by hand so that **bright areas are wall** and
**near-black areas are windows**. Each 4×4 output cell compares the mean brightness of the surrounding 7×7
pixels (after the processor's resize to 128×128) with a threshold of gray ≈ 170: brighter → "wall" (id 0);
when each of R, G and B is below ≈ 40 instead → "windowpane" (id 8, a keep-out); otherwise "building"
(id 1). So a photo with a large near-white area (RGB ≥ 200) has a wall there, a near-black patch (RGB all
≤ 40) inside it is a window; a photo whose pixels are all between ~50 and ~140 has no wall
(``no_wall_found``). ``make_wall_photo``, ``make_window_wall_photo`` and ``make_no_wall_photo`` build such photos.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path
from typing import Final

from .themes_default import THEME_SLUGS, THEMES
from .tiny_guides import build_controlnets, build_depth
from .tiny_photos import (  # noqa: F401  (re-exported: photos the tiny SegFormer understands)
    make_no_wall_photo,
    make_wall_photo,
    make_window_wall_photo,
    wall_box,
    window_box,
)
from .tiny_safety import build_safety_checker, make_red_photo  # noqa: F401  (a photo the checker flags)

READY: Final = "READY"
NATIVE_SIZE: Final = 128
_WALL_THRESHOLD_GRAY: Final = 170
_WINDOW_THRESHOLD: Final = 40
#: bump when a tiny model changes, so that older tiny folders are rebuilt (READY holds this)
TINY_VERSION: Final = "3"

ADE20K_LABELS: Final[tuple[str, ...]] = (
    "wall",
    "building",
    "sky",
    "floor",
    "tree",
    "ceiling",
    "road",
    "bed",
    "windowpane",
    "grass",
    "cabinet",
    "sidewalk",
    "person",
    "earth",
    "door",
    "table",
    "mountain",
    "plant",
    "curtain",
    "chair",
    "car",
    "water",
    "painting",
    "sofa",
    "shelf",
    "house",
    "sea",
    "mirror",
    "rug",
    "field",
    "armchair",
    "seat",
    "fence",
    "desk",
    "rock",
    "wardrobe",
    "lamp",
    "bathtub",
    "railing",
    "cushion",
    "base",
    "box",
    "column",
    "signboard",
    "chest of drawers",
    "counter",
    "sand",
    "sink",
    "skyscraper",
    "fireplace",
    "refrigerator",
    "grandstand",
    "path",
    "stairs",
    "runway",
    "case",
    "pool table",
    "pillow",
    "screen door",
    "stairway",
    "river",
    "bridge",
    "bookcase",
    "blind",
    "coffee table",
    "toilet",
    "flower",
    "book",
    "hill",
    "bench",
    "countertop",
    "stove",
    "palm",
    "kitchen island",
    "computer",
    "swivel chair",
    "boat",
    "bar",
    "arcade machine",
    "hovel",
    "bus",
    "towel",
    "light",
    "truck",
    "tower",
    "chandelier",
    "awning",
    "streetlight",
    "booth",
    "television receiver",
    "airplane",
    "dirt track",
    "apparel",
    "pole",
    "land",
    "bannister",
    "escalator",
    "ottoman",
    "bottle",
    "buffet",
    "poster",
    "stage",
    "van",
    "ship",
    "fountain",
    "conveyer belt",
    "canopy",
    "washer",
    "plaything",
    "swimming pool",
    "stool",
    "barrel",
    "basket",
    "waterfall",
    "tent",
    "bag",
    "minibike",
    "cradle",
    "oven",
    "ball",
    "food",
    "step",
    "tank",
    "trade name",
    "microwave",
    "pot",
    "animal",
    "bicycle",
    "lake",
    "dishwasher",
    "screen",
    "blanket",
    "sculpture",
    "hood",
    "sconce",
    "vase",
    "traffic light",
    "tray",
    "ashcan",
    "fan",
    "pier",
    "crt screen",
    "plate",
    "monitor",
    "bulletin board",
    "shower",
    "radio",
    "glass",
    "clock",
    "flag",
)

_COMMON_WORDS: Final = (
    "a an the and or of in on with at by for to from under over above near big small little tall old new "
    "red orange yellow green blue purple pink white black brown gray grey golden silver colorful bright dark "
    "happy cute friendly smiling flying swimming running playing dancing sleeping "
    "cat dog bird fish whale dolphin turtle octopus jellyfish shark rabbit bear fox deer lion tiger elephant "
    "giraffe monkey panda owl butterfly bee horse penguin dinosaur dragon unicorn "
    "tree trees flower flowers forest mountain mountains river lake sea ocean wave waves beach sun moon star "
    "stars sky cloud clouds rain rainbow snow garden field grass leaf leaves "
    "city street house houses building buildings bridge car bus train bicycle road tower "
    "planet planets rocket rockets astronaut galaxy space comet spaceship alien "
    "child children kids family friends playground ball balloon balloons kite toy toys game "
    "painting mural wall art style pattern shapes colors color palette scene landscape portrait "
    "illustration cartoon watercolor graffiti abstract geometric vivid soft warm cool pastel "
    "beautiful peaceful magical fantasy dream dreamy night day morning evening sunset sunrise "
    "korean korea traditional hanok seoul"
)

_KO_EN_PAIRS: Final = (
    ("바다", "sea"),
    ("고래", "whale"),
    ("고양이", "cat"),
    ("강아지", "puppy"),
    ("나무", "tree"),
    ("꽃", "flower"),
    ("하늘", "sky"),
    ("별", "star"),
    ("달", "moon"),
    ("해", "sun"),
    ("산", "mountain"),
    ("강", "river"),
    ("도시", "city"),
    ("집", "house"),
    ("아이들", "children"),
    ("놀이터", "playground"),
    ("우주", "space"),
    ("행성", "planet"),
    ("로켓", "rocket"),
    ("동물", "animal"),
    ("새", "bird"),
    ("물고기", "fish"),
    ("무지개", "rainbow"),
    ("숲", "forest"),
    ("파란", "blue"),
    ("빨간", "red"),
    ("노란", "yellow"),
    ("초록", "green"),
    ("귀여운", "cute"),
    ("큰", "big"),
    ("작은", "small"),
    ("행복한", "happy"),
)


# ---------------------------------------------------------------- building


def is_ready(directory: str | os.PathLike[str]) -> bool:
    """Whether ``directory`` holds a complete tiny model set of this version (its READY marker is written last)."""
    marker = Path(directory) / READY
    return marker.is_file() and marker.read_text().split()[-1:] == [f"v{TINY_VERSION}"]


def make_tiny(directory: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Build the tiny model set into ``directory`` (skipped when already READY unless ``force``)."""
    target = Path(directory)
    if is_ready(target) and not force:
        _ensure_safety(target)
        return target
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    _build_inpaint(tmp / "inpaint")
    _build_segformer(tmp / "segformer")
    _build_translator(tmp / "translator")
    _build_loras(tmp / "inpaint", tmp)
    build_controlnets(tmp / "inpaint", tmp)
    build_depth(tmp / "depth")
    build_safety_checker(tmp / "safety")
    (tmp / READY).write_text(f"tiny models for saekdam tests v{TINY_VERSION}\n")
    # swap in atomically-ish: another process may have finished first
    if target.exists():
        if is_ready(target) and not force:
            shutil.rmtree(tmp, ignore_errors=True)
            return target
        shutil.rmtree(target)
    tmp.rename(target)
    return target


def _ensure_safety(target: Path) -> None:
    """A complete tiny folder made before the safety checker existed gets it added (built aside, renamed in),
    so folders shared by several checkouts are not rebuilt under each other."""
    folder = target / "safety"
    if (folder / "config.json").is_file():
        return
    tmp = target / f".safety.tmp{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    build_safety_checker(tmp)
    try:
        tmp.rename(folder)
    except OSError:  # another process added it first
        shutil.rmtree(tmp, ignore_errors=True)


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP's byte → printable character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), 256))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs), strict=True))


def _clip_vocab_and_merges() -> tuple[dict[str, int], list[str]]:
    """A CLIP BPE vocabulary whose merges spell our theme words whole; anything else falls back to bytes."""
    chars = list(_bytes_to_unicode().values())
    tokens = chars + [c + "</w>" for c in chars]
    merges: list[str] = []
    seen = set(tokens)
    text = " ".join([_COMMON_WORDS] + [t["prompt_template"] + " " + t["negative_prompt"] for t in THEMES])
    words = sorted({w for w in "".join(c if c.isalpha() else " " for c in text.lower()).split()})
    encoder = _bytes_to_unicode()
    for word in words:
        symbols = [encoder[b] for b in word.encode("utf-8")]
        symbols[-1] += "</w>"
        current = symbols[0]
        for nxt in symbols[1:]:
            merged = current + nxt
            if merged not in seen:
                merges.append(f"{current} {nxt}")
                tokens.append(merged)
                seen.add(merged)
            current = merged
    tokens += ["<|startoftext|>", "<|endoftext|>"]
    return {tok: i for i, tok in enumerate(tokens)}, merges


def _build_inpaint(folder: Path) -> None:
    import torch
    from diffusers import AutoencoderKL, PNDMScheduler, StableDiffusionInpaintPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    vocab, merges = _clip_vocab_and_merges()
    tok_dir = folder / "_tok"
    tok_dir.mkdir(parents=True)
    (tok_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
    (tok_dir / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
    tokenizer = CLIPTokenizer(
        vocab=str(tok_dir / "vocab.json"),
        merges=str(tok_dir / "merges.txt"),
        model_max_length=77,
        pad_token="<|endoftext|>",
    )
    shutil.rmtree(tok_dir)

    torch.manual_seed(0)
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(vocab),
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            max_position_embeddings=77,
            projection_dim=32,
            bos_token_id=vocab["<|startoftext|>"],
            eos_token_id=vocab["<|endoftext|>"],
            pad_token_id=vocab["<|endoftext|>"],
        )
    )
    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        sample_size=NATIVE_SIZE // 8,
        in_channels=9,
        out_channels=4,
        layers_per_block=1,
        block_out_channels=(32, 64),
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        attention_head_dim=8,
    )
    torch.manual_seed(0)
    vae = AutoencoderKL(
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        sample_size=NATIVE_SIZE,
        norm_num_groups=8,
        block_out_channels=(16, 16, 32, 32),
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
    )
    scheduler = PNDMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        num_train_timesteps=1000,
        skip_prk_steps=True,
        steps_offset=1,
        set_alpha_to_one=False,
    )
    pipe = StableDiffusionInpaintPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(folder)


def _build_segformer(folder: Path) -> None:
    """A SegFormer whose decode head calls bright areas "wall" (see the module docstring)."""
    import torch
    from transformers import SegformerConfig, SegformerForSemanticSegmentation, SegformerImageProcessor

    config = SegformerConfig(
        num_channels=3,
        num_encoder_blocks=4,
        depths=[1, 1, 1, 1],
        sr_ratios=[8, 4, 2, 1],
        hidden_sizes=[8, 16, 24, 32],
        patch_sizes=[7, 3, 3, 3],
        strides=[4, 2, 2, 2],
        num_attention_heads=[1, 1, 2, 2],
        mlp_ratios=[2, 2, 2, 2],
        decoder_hidden_size=16,
        num_labels=len(ADE20K_LABELS),
        id2label=dict(enumerate(ADE20K_LABELS)),
        label2id={name: i for i, name in enumerate(ADE20K_LABELS)},
        semantic_loss_ignore_index=255,
    )
    torch.manual_seed(0)
    model = SegformerForSemanticSegmentation(config).eval()
    processor = SegformerImageProcessor(
        do_resize=True,
        size={"height": NATIVE_SIZE, "width": NATIVE_SIZE},
        do_reduce_labels=False,
    )
    mean = torch.tensor(processor.image_mean)
    std = torch.tensor(processor.image_std)
    # normalised value of a gray pixel at the threshold, averaged over RGB
    threshold = float(((_WALL_THRESHOLD_GRAY / 255.0 - mean) / std).mean())
    dark = (_WINDOW_THRESHOLD / 255.0 - mean) / std  # per channel: R, G, B
    with torch.no_grad():
        stage = model.segformer.stages[0]
        embed = stage.patch_embeddings
        k = embed.proj.kernel_size[0]
        embed.proj.weight.zero_()
        embed.proj.bias.zero_()
        embed.proj.weight[0] = 1.0 / (3 * k * k)  # channel 0: local mean of the normalised pixels
        embed.proj.bias[1] = threshold  # channel 1: the threshold, as a constant
        for c in range(3):  # channels 2-4: local mean of R, G, B; channels 5-7: their "near-black" thresholds
            embed.proj.weight[2 + c, c] = 1.0 / (k * k)
            embed.proj.bias[5 + c] = float(dark[c])
        for block in stage.blocks:  # stage-1 blocks become identities (residual only)
            block.attention.o_proj.weight.zero_()
            block.attention.o_proj.bias.zero_()
            block.mlp.fc2.weight.zero_()
            block.mlp.fc2.bias.zero_()
        head = model.decode_head
        dec = config.decoder_hidden_size
        for mlp in head.linear_projections:
            mlp.proj.weight.zero_()
            mlp.proj.bias.zero_()
        # after LayerNorm the sign of (channel 0 − channel 1) is the sign of (brightness − threshold)
        proj = head.linear_projections[0].proj.weight
        proj[0, 0] = 1.0
        proj[0, 1] = -1.0
        for c in range(3):  # d_c = colour − its dark threshold (> 0: this channel is too bright for a window)
            proj[1 + c, 2 + c] = 1.0
            proj[1 + c, 5 + c] = -1.0
        proj[4, 5:8] = 1.0 / 3  # how far the mean colour lies below the dark thresholds
        proj[4, 2:5] = -1.0 / 3
        head.linear_fuse.weight.zero_()
        stage1 = 3 * dec  # hidden states are concatenated last stage first
        head.linear_fuse.weight[0, stage1, 0, 0] = 4.0
        head.linear_fuse.weight[1, stage1, 0, 0] = -4.0
        for j in range(1, 5):  # after ReLU: 2-4 = how much R/G/B exceed the dark threshold, 5 = darkness margin
            head.linear_fuse.weight[1 + j, stage1 + j, 0, 0] = 4.0
        bn = head.batch_norm
        bn.weight.fill_(1.0)
        bn.bias.zero_()
        bn.running_mean.zero_()
        bn.running_var.fill_(1.0)
        head.classifier.weight.zero_()
        head.classifier.bias.fill_(-10.0)
        head.classifier.weight[0, 0, 0, 0] = 1.0  # wall: positive when bright
        head.classifier.weight[0, 1, 0, 0] = -1.0
        head.classifier.bias[0] = 0.0
        head.classifier.bias[1] = 0.0  # building: the default everywhere else (ties go to wall only at s > 0)
        window = ADE20K_LABELS.index("windowpane")
        head.classifier.weight[window, 5, 0, 0] = 1.0  # dark …
        head.classifier.weight[window, 2:5, 0, 0] = -10.0  # … unless any channel is brighter than ~40
        head.classifier.bias[window] = 0.0
    for name, param in list(model.named_parameters()):
        if torch.isnan(param).any():  # pragma: no cover - guards hand-edited weights
            raise RuntimeError(f"tiny segformer weight {name} is NaN")
    model.save_pretrained(folder)
    processor.save_pretrained(folder)


def _train_spm(sentences: list[str], vocab_size: int) -> bytes:
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        num_threads=1,
        seed_sentencepiece_size=10000,
        unk_id=1,
        eos_id=0,
        bos_id=-1,
        pad_id=-1,
        minloglevel=2,
    )
    return model.getvalue()


def _build_translator(folder: Path) -> None:
    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    ko = [k for k, _ in _KO_EN_PAIRS]
    en = [e for _, e in _KO_EN_PAIRS]
    ko_sentences = [" ".join(ko[i : i + 4]) for i in range(0, len(ko))] * 4
    en_sentences = [" ".join(en[i : i + 4]) for i in range(0, len(en))] * 4
    folder.mkdir(parents=True)
    src, tgt = _train_spm(ko_sentences, 120), _train_spm(en_sentences, 120)
    (folder / "source.spm").write_bytes(src)
    (folder / "target.spm").write_bytes(tgt)
    pieces: list[str] = ["</s>", "<unk>"]
    for blob in (src, tgt):
        proc = spm.SentencePieceProcessor(model_proto=blob)
        for i in range(proc.get_piece_size()):
            piece = proc.id_to_piece(i)
            if piece not in pieces and not (piece.startswith("<") and piece.endswith(">")):
                pieces.append(piece)
    pieces.append("<pad>")
    vocab = {p: i for i, p in enumerate(pieces)}
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
    tokenizer = MarianTokenizer(
        source_spm=str(folder / "source.spm"),
        target_spm=str(folder / "target.spm"),
        vocab=str(folder / "vocab.json"),
        source_lang="ko",
        target_lang="en",
        model_max_length=32,
    )
    pad_id = vocab["<pad>"]
    torch.manual_seed(0)
    model = MarianMTModel(
        MarianConfig(
            vocab_size=len(vocab),
            d_model=16,
            encoder_layers=1,
            decoder_layers=1,
            encoder_attention_heads=2,
            decoder_attention_heads=2,
            encoder_ffn_dim=32,
            decoder_ffn_dim=32,
            max_position_embeddings=32,
            pad_token_id=pad_id,
            eos_token_id=0,
            decoder_start_token_id=pad_id,
            forced_eos_token_id=0,
            scale_embedding=True,
            share_encoder_decoder_embeddings=True,
        )
    )
    model.generation_config = GenerationConfig(
        max_length=16,
        num_beams=1,
        do_sample=False,
        pad_token_id=pad_id,
        eos_token_id=0,
        decoder_start_token_id=pad_id,
        bad_words_ids=[[pad_id]],
    )
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def _build_loras(inpaint: Path, root: Path) -> None:
    """One "trained-looking" (non-zero A and B) LoRA per theme, plus a stand-in LCM-LoRA, with metadata."""
    import torch
    from diffusers import StableDiffusionInpaintPipeline, UNet2DConditionModel
    from diffusers.utils import convert_state_dict_to_diffusers
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    unet = UNet2DConditionModel.from_pretrained(inpaint / "unet")
    targets = ["to_q", "to_k", "to_v", "to_out.0"]
    (root / "loras").mkdir()
    jobs = [(slug, root / "loras", f"{slug}.safetensors", 0.6) for slug in THEME_SLUGS]
    jobs.append(("lcm", root / "lcm", "pytorch_lora_weights.safetensors", 0.3))
    for index, (name, out_dir, weight_name, scale) in enumerate(jobs):
        config = LoraConfig(r=4, lora_alpha=8, target_modules=targets, init_lora_weights="gaussian")
        unet.add_adapter(config, adapter_name=name)
        gen = torch.Generator().manual_seed(1000 + index)
        with torch.no_grad():
            for param_name, param in unet.named_parameters():
                if f".{name}." in param_name and "lora_" in param_name:
                    param.copy_(torch.randn(param.shape, generator=gen) * scale)
        layers = convert_state_dict_to_diffusers(get_peft_model_state_dict(unet, adapter_name=name))
        StableDiffusionInpaintPipeline.save_lora_weights(
            out_dir,
            unet_lora_layers=layers,
            weight_name=weight_name,
            unet_lora_adapter_metadata=unet.peft_config[name].to_dict(),
        )
        unet.delete_adapters(name)
