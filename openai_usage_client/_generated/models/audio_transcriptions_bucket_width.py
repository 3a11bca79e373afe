from typing import Literal

AudioTranscriptionsBucketWidth = Literal["1d", "1h", "1m"]

AUDIO_TRANSCRIPTIONS_BUCKET_WIDTH_VALUES: set[AudioTranscriptionsBucketWidth] = {
    "1d",
    "1h",
    "1m",
}


def check_audio_transcriptions_bucket_width(value: str) -> AudioTranscriptionsBucketWidth:
    if value in AUDIO_TRANSCRIPTIONS_BUCKET_WIDTH_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {AUDIO_TRANSCRIPTIONS_BUCKET_WIDTH_VALUES!r}"
    )
