"""Theme LoRA training for Saekdam: prepare photos, train on the inpainting UNet, export, register.

See README.md; the CLI is ``python -m lora_training`` (``saekdam train``).
"""
