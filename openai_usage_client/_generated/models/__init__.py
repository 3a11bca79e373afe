"""Contains all the data models used in inputs/outputs"""

# Project change: the stock init imports every model module, so importing one model (a
# usage page) built every model of the spec, the directory's included. Here each name is
# imported on first use (PEP 562); type checkers see the imports below.
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .admin_api_key import AdminApiKey
    from .admin_api_key_list import AdminApiKeyList
    from .admin_api_key_owner import AdminApiKeyOwner
    from .audio_speeches_bucket_width import AudioSpeechesBucketWidth
    from .audio_speeches_group_by_item import AudioSpeechesGroupByItem
    from .audio_transcriptions_bucket_width import AudioTranscriptionsBucketWidth
    from .audio_transcriptions_group_by_item import AudioTranscriptionsGroupByItem
    from .code_interpreter_sessions_bucket_width import CodeInterpreterSessionsBucketWidth
    from .code_interpreter_sessions_group_by_item import CodeInterpreterSessionsGroupByItem
    from .completions_bucket_width import CompletionsBucketWidth
    from .completions_group_by_item import CompletionsGroupByItem
    from .costs_bucket_width import CostsBucketWidth
    from .costs_group_by_item import CostsGroupByItem
    from .costs_result import CostsResult
    from .costs_result_amount import CostsResultAmount
    from .cursor_list_page import CursorListPage
    from .decisions_bucket_width import DecisionsBucketWidth
    from .decisions_group_by_item import DecisionsGroupByItem
    from .embeddings_bucket_width import EmbeddingsBucketWidth
    from .embeddings_group_by_item import EmbeddingsGroupByItem
    from .error import Error
    from .error_response import ErrorResponse
    from .file_search_calls_bucket_width import FileSearchCallsBucketWidth
    from .file_search_calls_group_by_item import FileSearchCallsGroupByItem
    from .images_bucket_width import ImagesBucketWidth
    from .images_group_by_item import ImagesGroupByItem
    from .images_sources_item import ImagesSourcesItem
    from .list_admin_api_keys_order import ListAdminApiKeysOrder
    from .list_organization_spend_alerts_order import ListOrganizationSpendAlertsOrder
    from .list_project_api_keys_owner_project_access import ListProjectApiKeysOwnerProjectAccess
    from .list_project_spend_alerts_order import ListProjectSpendAlertsOrder
    from .moderations_bucket_width import ModerationsBucketWidth
    from .moderations_group_by_item import ModerationsGroupByItem
    from .organization_spend_alert import OrganizationSpendAlert
    from .organization_spend_alert_list import OrganizationSpendAlertList
    from .organization_spend_limit import OrganizationSpendLimit
    from .project import Project
    from .project_api_key import ProjectApiKey
    from .project_api_key_list import ProjectApiKeyList
    from .project_api_key_owner import ProjectApiKeyOwner
    from .project_api_key_owner_service_account import ProjectApiKeyOwnerServiceAccount
    from .project_api_key_owner_user import ProjectApiKeyOwnerUser
    from .project_api_key_spend_limit import ProjectApiKeySpendLimit
    from .project_list import ProjectList
    from .project_service_account import ProjectServiceAccount
    from .project_service_account_list import ProjectServiceAccountList
    from .project_spend_alert import ProjectSpendAlert
    from .project_spend_alert_list import ProjectSpendAlertList
    from .project_spend_limit import ProjectSpendLimit
    from .project_user import ProjectUser
    from .project_user_list import ProjectUserList
    from .spend_alert_notification_channel import SpendAlertNotificationChannel
    from .spend_limit_enforcement import SpendLimitEnforcement
    from .unknown_result import UnknownResult
    from .usage_audio_speeches_result import UsageAudioSpeechesResult
    from .usage_audio_transcriptions_result import UsageAudioTranscriptionsResult
    from .usage_code_interpreter_sessions_result import UsageCodeInterpreterSessionsResult
    from .usage_completions_result import UsageCompletionsResult
    from .usage_decisions_result import UsageDecisionsResult
    from .usage_embeddings_result import UsageEmbeddingsResult
    from .usage_file_search_calls_result import UsageFileSearchCallsResult
    from .usage_images_result import UsageImagesResult
    from .usage_moderations_result import UsageModerationsResult
    from .usage_response import UsageResponse
    from .usage_time_bucket import UsageTimeBucket
    from .usage_vector_stores_result import UsageVectorStoresResult
    from .usage_web_search_calls_result import UsageWebSearchCallsResult
    from .user import User
    from .user_account import UserAccount
    from .user_list import UserList
    from .user_project import UserProject
    from .user_projects import UserProjects
    from .vector_stores_bucket_width import VectorStoresBucketWidth
    from .vector_stores_group_by_item import VectorStoresGroupByItem
    from .web_search_calls_bucket_width import WebSearchCallsBucketWidth
    from .web_search_calls_context_levels_item import WebSearchCallsContextLevelsItem
    from .web_search_calls_group_by_item import WebSearchCallsGroupByItem

_MODULES = {
    "AdminApiKey": ".admin_api_key",
    "AdminApiKeyList": ".admin_api_key_list",
    "AdminApiKeyOwner": ".admin_api_key_owner",
    "AudioSpeechesBucketWidth": ".audio_speeches_bucket_width",
    "AudioSpeechesGroupByItem": ".audio_speeches_group_by_item",
    "AudioTranscriptionsBucketWidth": ".audio_transcriptions_bucket_width",
    "AudioTranscriptionsGroupByItem": ".audio_transcriptions_group_by_item",
    "CodeInterpreterSessionsBucketWidth": ".code_interpreter_sessions_bucket_width",
    "CodeInterpreterSessionsGroupByItem": ".code_interpreter_sessions_group_by_item",
    "CompletionsBucketWidth": ".completions_bucket_width",
    "CompletionsGroupByItem": ".completions_group_by_item",
    "CostsBucketWidth": ".costs_bucket_width",
    "CostsGroupByItem": ".costs_group_by_item",
    "CostsResult": ".costs_result",
    "CostsResultAmount": ".costs_result_amount",
    "CursorListPage": ".cursor_list_page",
    "DecisionsBucketWidth": ".decisions_bucket_width",
    "DecisionsGroupByItem": ".decisions_group_by_item",
    "EmbeddingsBucketWidth": ".embeddings_bucket_width",
    "EmbeddingsGroupByItem": ".embeddings_group_by_item",
    "Error": ".error",
    "ErrorResponse": ".error_response",
    "FileSearchCallsBucketWidth": ".file_search_calls_bucket_width",
    "FileSearchCallsGroupByItem": ".file_search_calls_group_by_item",
    "ImagesBucketWidth": ".images_bucket_width",
    "ImagesGroupByItem": ".images_group_by_item",
    "ImagesSourcesItem": ".images_sources_item",
    "ListAdminApiKeysOrder": ".list_admin_api_keys_order",
    "ListOrganizationSpendAlertsOrder": ".list_organization_spend_alerts_order",
    "ListProjectApiKeysOwnerProjectAccess": ".list_project_api_keys_owner_project_access",
    "ListProjectSpendAlertsOrder": ".list_project_spend_alerts_order",
    "ModerationsBucketWidth": ".moderations_bucket_width",
    "ModerationsGroupByItem": ".moderations_group_by_item",
    "OrganizationSpendAlert": ".organization_spend_alert",
    "OrganizationSpendAlertList": ".organization_spend_alert_list",
    "OrganizationSpendLimit": ".organization_spend_limit",
    "Project": ".project",
    "ProjectApiKey": ".project_api_key",
    "ProjectApiKeyList": ".project_api_key_list",
    "ProjectApiKeyOwner": ".project_api_key_owner",
    "ProjectApiKeyOwnerServiceAccount": ".project_api_key_owner_service_account",
    "ProjectApiKeyOwnerUser": ".project_api_key_owner_user",
    "ProjectApiKeySpendLimit": ".project_api_key_spend_limit",
    "ProjectList": ".project_list",
    "ProjectServiceAccount": ".project_service_account",
    "ProjectServiceAccountList": ".project_service_account_list",
    "ProjectSpendAlert": ".project_spend_alert",
    "ProjectSpendAlertList": ".project_spend_alert_list",
    "ProjectSpendLimit": ".project_spend_limit",
    "ProjectUser": ".project_user",
    "ProjectUserList": ".project_user_list",
    "SpendAlertNotificationChannel": ".spend_alert_notification_channel",
    "SpendLimitEnforcement": ".spend_limit_enforcement",
    "UnknownResult": ".unknown_result",
    "UsageAudioSpeechesResult": ".usage_audio_speeches_result",
    "UsageAudioTranscriptionsResult": ".usage_audio_transcriptions_result",
    "UsageCodeInterpreterSessionsResult": ".usage_code_interpreter_sessions_result",
    "UsageCompletionsResult": ".usage_completions_result",
    "UsageDecisionsResult": ".usage_decisions_result",
    "UsageEmbeddingsResult": ".usage_embeddings_result",
    "UsageFileSearchCallsResult": ".usage_file_search_calls_result",
    "UsageImagesResult": ".usage_images_result",
    "UsageModerationsResult": ".usage_moderations_result",
    "UsageResponse": ".usage_response",
    "UsageTimeBucket": ".usage_time_bucket",
    "UsageVectorStoresResult": ".usage_vector_stores_result",
    "UsageWebSearchCallsResult": ".usage_web_search_calls_result",
    "User": ".user",
    "UserAccount": ".user_account",
    "UserList": ".user_list",
    "UserProject": ".user_project",
    "UserProjects": ".user_projects",
    "VectorStoresBucketWidth": ".vector_stores_bucket_width",
    "VectorStoresGroupByItem": ".vector_stores_group_by_item",
    "WebSearchCallsBucketWidth": ".web_search_calls_bucket_width",
    "WebSearchCallsContextLevelsItem": ".web_search_calls_context_levels_item",
    "WebSearchCallsGroupByItem": ".web_search_calls_group_by_item",
}

__all__ = (
    "AdminApiKey",
    "AdminApiKeyList",
    "AdminApiKeyOwner",
    "AudioSpeechesBucketWidth",
    "AudioSpeechesGroupByItem",
    "AudioTranscriptionsBucketWidth",
    "AudioTranscriptionsGroupByItem",
    "CodeInterpreterSessionsBucketWidth",
    "CodeInterpreterSessionsGroupByItem",
    "CompletionsBucketWidth",
    "CompletionsGroupByItem",
    "CostsBucketWidth",
    "CostsGroupByItem",
    "CostsResult",
    "CostsResultAmount",
    "CursorListPage",
    "DecisionsBucketWidth",
    "DecisionsGroupByItem",
    "EmbeddingsBucketWidth",
    "EmbeddingsGroupByItem",
    "Error",
    "ErrorResponse",
    "FileSearchCallsBucketWidth",
    "FileSearchCallsGroupByItem",
    "ImagesBucketWidth",
    "ImagesGroupByItem",
    "ImagesSourcesItem",
    "ListAdminApiKeysOrder",
    "ListOrganizationSpendAlertsOrder",
    "ListProjectApiKeysOwnerProjectAccess",
    "ListProjectSpendAlertsOrder",
    "ModerationsBucketWidth",
    "ModerationsGroupByItem",
    "OrganizationSpendAlert",
    "OrganizationSpendAlertList",
    "OrganizationSpendLimit",
    "Project",
    "ProjectApiKey",
    "ProjectApiKeyList",
    "ProjectApiKeyOwner",
    "ProjectApiKeyOwnerServiceAccount",
    "ProjectApiKeyOwnerUser",
    "ProjectApiKeySpendLimit",
    "ProjectList",
    "ProjectServiceAccount",
    "ProjectServiceAccountList",
    "ProjectSpendAlert",
    "ProjectSpendAlertList",
    "ProjectSpendLimit",
    "ProjectUser",
    "ProjectUserList",
    "SpendAlertNotificationChannel",
    "SpendLimitEnforcement",
    "UnknownResult",
    "UsageAudioSpeechesResult",
    "UsageAudioTranscriptionsResult",
    "UsageCodeInterpreterSessionsResult",
    "UsageCompletionsResult",
    "UsageDecisionsResult",
    "UsageEmbeddingsResult",
    "UsageFileSearchCallsResult",
    "UsageImagesResult",
    "UsageModerationsResult",
    "UsageResponse",
    "UsageTimeBucket",
    "UsageVectorStoresResult",
    "UsageWebSearchCallsResult",
    "User",
    "UserAccount",
    "UserList",
    "UserProject",
    "UserProjects",
    "VectorStoresBucketWidth",
    "VectorStoresGroupByItem",
    "WebSearchCallsBucketWidth",
    "WebSearchCallsContextLevelsItem",
    "WebSearchCallsGroupByItem",
)


def __getattr__(name: str) -> object:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
