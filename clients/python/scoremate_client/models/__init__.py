"""Contains all the data models used in inputs/outputs"""

from .access_log_out import AccessLogOut
from .admin_get_monthly_report_format_type_0 import AdminGetMonthlyReportFormatType0
from .admin_object_out import AdminObjectOut
from .admin_user_out import AdminUserOut
from .archive_upload_out import ArchiveUploadOut
from .archive_upload_out_headers import ArchiveUploadOutHeaders
from .complete_upload_in import CompleteUploadIn
from .completed_part_in import CompletedPartIn
from .dead_letter_queue import DeadLetterQueue
from .download_url_out import DownloadUrlOut
from .duplicate_skipped_out import DuplicateSkippedOut
from .export_out import ExportOut
from .export_progress import ExportProgress
from .export_request_in import ExportRequestIn
from .export_status import ExportStatus
from .history_entry_out import HistoryEntryOut
from .history_entry_out_meta import HistoryEntryOutMeta
from .history_kind import HistoryKind
from .import_in import ImportIn
from .import_out import ImportOut
from .import_out_status import ImportOutStatus
from .import_problem_out import ImportProblemOut
from .import_progress_out import ImportProgressOut
from .import_report_out import ImportReportOut
from .keys_found import KeysFound
from .login_in import LoginIn
from .monthly_report_out import MonthlyReportOut
from .multipart_state import MultipartState
from .multipart_upload_out import MultipartUploadOut
from .multipart_upload_url_out import MultipartUploadUrlOut
from .page_access_log_out import PageAccessLogOut
from .page_admin_object_out import PageAdminObjectOut
from .page_admin_user_out import PageAdminUserOut
from .page_export_out import PageExportOut
from .page_history_entry_out import PageHistoryEntryOut
from .page_import_out import PageImportOut
from .page_score_out import PageScoreOut
from .page_setlist_out import PageSetlistOut
from .page_task_out import PageTaskOut
from .plan import Plan
from .plan_change_in import PlanChangeIn
from .plan_out import PlanOut
from .problem import Problem
from .reconciliation_report import ReconciliationReport
from .redeem_referral_in import RedeemReferralIn
from .redeem_referral_out import RedeemReferralOut
from .referral_status import ReferralStatus
from .refresh_in import RefreshIn
from .register_in import RegisterIn
from .replay_out import ReplayOut
from .report_exports_out import ReportExportsOut
from .report_failures_out import ReportFailuresOut
from .report_failures_out_by_reason import ReportFailuresOutByReason
from .score_change import ScoreChange
from .score_change_op import ScoreChangeOp
from .score_create import ScoreCreate
from .score_out import ScoreOut
from .score_out_status import ScoreOutStatus
from .score_patch import ScorePatch
from .setlist_change import SetlistChange
from .setlist_change_op import SetlistChangeOp
from .setlist_create import SetlistCreate
from .setlist_item_out import SetlistItemOut
from .setlist_items_in import SetlistItemsIn
from .setlist_out import SetlistOut
from .setlist_patch import SetlistPatch
from .stored_part_out import StoredPartOut
from .sync_page import SyncPage
from .synced_score import SyncedScore
from .synced_score_status import SyncedScoreStatus
from .synced_setlist import SyncedSetlist
from .synced_setlist_item import SyncedSetlistItem
from .synced_thumbnails import SyncedThumbnails
from .task_kind import TaskKind
from .task_out import TaskOut
from .task_status import TaskStatus
from .thumbnails_change import ThumbnailsChange
from .thumbnails_change_op import ThumbnailsChangeOp
from .tokens_out import TokensOut
from .upload_part_out import UploadPartOut
from .upload_part_out_headers import UploadPartOutHeaders
from .upload_url_in import UploadUrlIn
from .upload_url_out import UploadUrlOut
from .upload_url_out_headers import UploadUrlOutHeaders
from .usage_out import UsageOut
from .usage_out_warning_type_0 import UsageOutWarningType0
from .user_out import UserOut
from .user_out_plan import UserOutPlan
from .validation_problem import ValidationProblem
from .validation_problem_errors_item import ValidationProblemErrorsItem
from .verify_email_in import VerifyEmailIn

__all__ = (
    "AccessLogOut",
    "AdminGetMonthlyReportFormatType0",
    "AdminObjectOut",
    "AdminUserOut",
    "ArchiveUploadOut",
    "ArchiveUploadOutHeaders",
    "CompletedPartIn",
    "CompleteUploadIn",
    "DeadLetterQueue",
    "DownloadUrlOut",
    "DuplicateSkippedOut",
    "ExportOut",
    "ExportProgress",
    "ExportRequestIn",
    "ExportStatus",
    "HistoryEntryOut",
    "HistoryEntryOutMeta",
    "HistoryKind",
    "ImportIn",
    "ImportOut",
    "ImportOutStatus",
    "ImportProblemOut",
    "ImportProgressOut",
    "ImportReportOut",
    "KeysFound",
    "LoginIn",
    "MonthlyReportOut",
    "MultipartState",
    "MultipartUploadOut",
    "MultipartUploadUrlOut",
    "PageAccessLogOut",
    "PageAdminObjectOut",
    "PageAdminUserOut",
    "PageExportOut",
    "PageHistoryEntryOut",
    "PageImportOut",
    "PageScoreOut",
    "PageSetlistOut",
    "PageTaskOut",
    "Plan",
    "PlanChangeIn",
    "PlanOut",
    "Problem",
    "ReconciliationReport",
    "RedeemReferralIn",
    "RedeemReferralOut",
    "ReferralStatus",
    "RefreshIn",
    "RegisterIn",
    "ReplayOut",
    "ReportExportsOut",
    "ReportFailuresOut",
    "ReportFailuresOutByReason",
    "ScoreChange",
    "ScoreChangeOp",
    "ScoreCreate",
    "ScoreOut",
    "ScoreOutStatus",
    "ScorePatch",
    "SetlistChange",
    "SetlistChangeOp",
    "SetlistCreate",
    "SetlistItemOut",
    "SetlistItemsIn",
    "SetlistOut",
    "SetlistPatch",
    "StoredPartOut",
    "SyncedScore",
    "SyncedScoreStatus",
    "SyncedSetlist",
    "SyncedSetlistItem",
    "SyncedThumbnails",
    "SyncPage",
    "TaskKind",
    "TaskOut",
    "TaskStatus",
    "ThumbnailsChange",
    "ThumbnailsChangeOp",
    "TokensOut",
    "UploadPartOut",
    "UploadPartOutHeaders",
    "UploadUrlIn",
    "UploadUrlOut",
    "UploadUrlOutHeaders",
    "UsageOut",
    "UsageOutWarningType0",
    "UserOut",
    "UserOutPlan",
    "ValidationProblem",
    "ValidationProblemErrorsItem",
    "VerifyEmailIn",
)
