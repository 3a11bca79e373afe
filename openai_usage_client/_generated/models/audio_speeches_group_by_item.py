from typing import Literal

AudioSpeechesGroupByItem = Literal["api_key_id", "model", "project_id", "user_id"]

AUDIO_SPEECHES_GROUP_BY_ITEM_VALUES: set[AudioSpeechesGroupByItem] = {
    "api_key_id",
    "model",
    "project_id",
    "user_id",
}


def check_audio_speeches_group_by_item(value: str) -> AudioSpeechesGroupByItem:
    if value in AUDIO_SPEECHES_GROUP_BY_ITEM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {AUDIO_SPEECHES_GROUP_BY_ITEM_VALUES!r}"
    )
