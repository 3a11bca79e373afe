from typing import Literal

AudioTranscriptionsGroupByItem = Literal["api_key_id", "model", "project_id", "user_id"]

AUDIO_TRANSCRIPTIONS_GROUP_BY_ITEM_VALUES: set[AudioTranscriptionsGroupByItem] = {
    "api_key_id",
    "model",
    "project_id",
    "user_id",
}


def check_audio_transcriptions_group_by_item(value: str) -> AudioTranscriptionsGroupByItem:
    if value in AUDIO_TRANSCRIPTIONS_GROUP_BY_ITEM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {AUDIO_TRANSCRIPTIONS_GROUP_BY_ITEM_VALUES!r}"
    )
