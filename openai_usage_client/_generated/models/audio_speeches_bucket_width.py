from typing import Literal

AudioSpeechesBucketWidth = Literal["1d", "1h", "1m"]

AUDIO_SPEECHES_BUCKET_WIDTH_VALUES: set[AudioSpeechesBucketWidth] = {
    "1d",
    "1h",
    "1m",
}


def check_audio_speeches_bucket_width(value: str) -> AudioSpeechesBucketWidth:
    if value in AUDIO_SPEECHES_BUCKET_WIDTH_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {AUDIO_SPEECHES_BUCKET_WIDTH_VALUES!r}"
    )
