"""Training: LoRA fine-tuning of the encoder with a classification head."""
