"""Commands of ``openai-usage`` that live in their own modules (each exposes ``commands()``)."""
