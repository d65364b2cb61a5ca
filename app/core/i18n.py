"""Every user-facing string, in Korean (default) and English, behind one small lookup.

Error texts are keyed by the error ``code`` so that the API's ``detail`` and the pages say the same thing.
"""

from __future__ import annotations

from typing import Any, Literal

Language = Literal["ko", "en"]
LANGUAGES: tuple[Language, ...] = ("ko", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # errors (key = error code)
    "bad_request": ("요청이 올바르지 않습니다.", "The request is not valid."),
    "invalid_input": ("입력값을 확인해 주세요.", "Please check the highlighted fields."),
    "invalid_json": ("JSON 본문을 읽을 수 없습니다.", "The JSON body could not be read."),
    "not_authenticated": ("로그인이 필요합니다.", "You need to log in."),
    "invalid_token": ("인증 정보가 유효하지 않거나 만료되었습니다.", "The credentials are invalid or expired."),
    "invalid_credentials": ("이메일 또는 비밀번호가 올바르지 않습니다.", "The email or password is wrong."),
    "forbidden": ("권한이 없습니다.", "You are not allowed to do that."),
    "csrf_failed": ("보안 토큰이 없거나 올바르지 않습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요.",
                    "The security token is missing or wrong. Reload the page and try again."),
    "not_found": ("찾을 수 없습니다.", "Not found."),
    "conflict": ("현재 상태에서는 할 수 없는 요청입니다.", "That is not possible in the current state."),
    "email_taken": ("이미 가입된 이메일입니다.", "This email is already registered."),
    "too_large": ("파일이 너무 큽니다.", "The file is too large."),
    "unsupported_media_type": ("지원하지 않는 형식입니다.", "This media type is not supported."),
    "unprocessable": ("처리할 수 없는 요청입니다.", "The request cannot be processed."),
    "rate_limited": ("요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.", "Too many requests. Try again shortly."),
    "too_many_login_failures": ("로그인 실패가 너무 많습니다. {retry_after}초 후 다시 시도해 주세요.",
                                "Too many failed logins. Try again in {retry_after} seconds."),
    "unavailable": ("서비스를 잠시 사용할 수 없습니다.", "The service is unavailable for a moment."),
    "internal_error": ("서버 오류가 발생했습니다.", "Something went wrong on our side."),
    "method_not_allowed": ("허용되지 않는 메서드입니다.", "Method not allowed."),
    # tasks (keys = error codes the API and the task page show)
    "unknown_theme": ("없는 테마입니다.", "There is no such theme."),
    "invalid_state": ("지금 상태에서는 할 수 없습니다.", "Not possible in the task's current state."),
    "photo_missing": ("사진이 아직 업로드되지 않았습니다. 업로드를 마친 뒤 다시 시도해 주세요.", "The photo has not been uploaded yet. Finish the upload, then try again."),
    "mask_missing": ("마스크가 아직 업로드되지 않았습니다.", "The mask has not been uploaded yet."),
    "size_mismatch": ("업로드한 파일 크기가 신고한 크기와 다릅니다.", "The uploaded file's size differs from the declared size."),
    "too_many_active_tasks": ("동시에 진행할 수 있는 작업 수({max}개)를 넘었습니다. 진행 중인 작업이 끝난 뒤 다시 시도해 주세요.", "You already have {max} murals in progress. Try again when one has finished."),
    "daily_quota_exceeded": ("오늘 만들 수 있는 벽화 수({max}개)를 모두 사용했습니다. 내일 다시 시도해 주세요.", "You have used today's {max} murals. Try again tomorrow."),
    "unsupported_image": ("JPEG, PNG, WebP 사진만 사용할 수 있습니다. 파일이 손상되지 않았는지 확인해 주세요.", "Only JPEG, PNG and WebP photos work. Check that the file is not damaged."),
    "image_too_large": ("사진 파일이 너무 큽니다(최대 25MB).", "The photo file is too large (25 MB at most)."),
    "too_many_pixels": ("사진 해상도가 너무 큽니다(최대 4천만 화소).", "The photo has too many pixels (40 megapixels at most)."),
    "image_too_small": ("사진이 너무 작습니다. 더 큰 사진을 올려 주세요.", "The photo is too small. Upload a larger one."),
    "invalid_region": ("선택한 영역이 사진 밖에 있거나 너무 작습니다(최소 64×64).", "The chosen area is outside the photo or too small (64×64 at least)."),
    "invalid_mask": ("마스크는 사진과 같은 크기의 PNG여야 합니다.", "The mask must be a PNG of the photo's size."),
    "no_wall_found": ("사진에서 벽을 찾지 못했습니다. 벽이 크게 보이게 다시 찍거나, 칠할 영역을 직접 지정해 주세요.", "No wall was found in the photo. Take one where the wall fills more of the frame, or mark the area yourself."),
    "model_unavailable": ("그림 모델을 사용할 수 없습니다. 잠시 후 다시 시도해 주세요.", "The painting model is unavailable. Please try again later."),
    "fast_mode_unavailable": ("빠른 모드를 사용할 수 없습니다. 빠른 모드를 끄고 다시 시도해 주세요.", "Fast mode is not available. Turn it off and try again."),
    "worker_lost": ("그림을 그리던 서버가 응답하지 않아 작업이 중단되었습니다. 다시 시도해 주세요.", "The server painting this mural stopped responding. Please try again."),
    "storage_error": ("파일 저장소 오류로 작업을 끝내지 못했습니다. 다시 시도해 주세요.", "A storage error stopped the job. Please try again."),
    "painting_failed": ("그림을 그리는 중 오류가 났습니다. 다시 시도해 주세요.", "Painting failed. Please try again."),
    "translation_failed": ("소원을 영어로 번역하지 못했습니다. 영어로 적어 주세요.", "The wish could not be translated. Please write it in English."),
    "invalid_request": ("작업 옵션이 올바르지 않습니다.", "The job's options are not valid."),
    "canceled": ("작업이 취소되었습니다.", "The job was canceled."),
    # field messages
    "field_required": ("필수 항목입니다.", "This field is required."),
    "field_type": ("형식이 올바르지 않습니다.", "This value has the wrong type."),
    "field_length": ("{min}–{max}자로 입력해 주세요.", "Must be {min}–{max} characters long."),
    "field_min_length": ("{min}자 이상 입력해 주세요.", "Must be at least {min} characters long."),
    "field_max_length": ("{max}자 이하로 입력해 주세요.", "Must be at most {max} characters long."),
    "field_range": ("{min}에서 {max} 사이여야 합니다.", "Must be between {min} and {max}."),
    "field_invalid": ("값이 올바르지 않습니다.", "This value is not valid."),
    "email_invalid": ("올바른 이메일 주소를 입력해 주세요.", "Enter a valid email address."),
    # pages
    "site_tagline": ("낡은 벽을 AI 벽화로", "Old walls, new AI murals"),
    "home_title": ("사진 한 장으로 낡은 벽에 벽화를", "Paint a mural on an old wall from one photo"),
    "home_lead": ("벽 사진을 찍고, 테마를 고르고, 원하는 그림을 적으세요. 색담이 사진 속 벽을 찾아 그 부분에만 벽화를 그려 드립니다. 완성된 전후 사진은 커뮤니티에 공유할 수 있어요.",
                  "Take a photo of a wall, pick a theme and describe what you want. Saekdam finds the wall in the photo and paints a mural onto that region only. Share the before and after with the community."),
    "nav_create": ("벽화 만들기", "Create a mural"),
    "nav_my": ("내 벽화", "My murals"),
    "nav_board": ("커뮤니티", "Community"),
    "nav_login": ("로그인", "Log in"),
    "nav_signup": ("회원가입", "Sign up"),
    "nav_logout": ("로그아웃", "Log out"),
    "nav_admin": ("관리자", "Admin"),
    "lang_switch": ("English", "한국어"),
    "email": ("이메일", "Email"),
    "password": ("비밀번호", "Password"),
    "nickname": ("닉네임", "Nickname"),
    "login_title": ("로그인", "Log in"),
    "signup_title": ("회원가입", "Sign up"),
    "login_submit": ("로그인", "Log in"),
    "signup_submit": ("가입하기", "Create account"),
    "no_account": ("계정이 없으신가요?", "No account yet?"),
    "have_account": ("이미 계정이 있으신가요?", "Already have an account?"),
    "password_hint": ("8–128자", "8–128 characters"),
    "nickname_hint": ("2–20자", "2–20 characters"),
    "welcome": ("{nickname}님, 환영합니다!", "Welcome, {nickname}!"),
    "error_title": ("문제가 생겼어요", "Something went wrong"),
    "back_home": ("처음으로", "Back to the start"),
    "how_1": ("벽 사진 올리기", "Upload a wall photo"),
    "how_2": ("테마와 소원 고르기", "Pick a theme and a wish"),
    "how_3": ("실시간으로 그려지는 벽화 보기", "Watch the mural paint live"),
    "cta_start": ("지금 시작하기", "Start now"),
    "models_tiny_notice": ("실제 모델이 없어 테스트용 작은 모델로 그리고 있습니다. 결과는 무작위 무늬처럼 보입니다.",
                           "The real models are not on this machine: painting with tiny test models, so results look like noise."),
    # board (community)
    "task_not_succeeded": ("완성된 작업만 공유할 수 있어요.", "Only a finished (succeeded) task can be published."),
    "already_published": ("이 결과는 이미 공유되었어요.", "This result has already been published."),
    "task_files_expired": ("작업 파일이 만료되어 공유할 수 없어요.", "The task's files have expired, so it cannot be published."),
    "board_title": ("커뮤니티 벽화", "Community murals"),
    "board_lead": ("이웃들이 색담으로 그린 벽화의 전후 사진을 구경하고 응원해 주세요.",
                   "Browse the before and after of murals painted with Saekdam, and cheer them on."),
    "board_new": ("내 벽화 공유하기", "Share my mural"),
    "board_sort": ("정렬", "Sort"),
    "board_sort_latest": ("최신순", "Latest"),
    "board_sort_popular": ("인기순", "Popular"),
    "board_view": ("보기 방식", "Layout"),
    "board_view_grid": ("격자", "Grid"),
    "board_view_list": ("목록", "List"),
    "board_search": ("검색", "Search"),
    "board_search_placeholder": ("제목이나 내용으로 검색", "Search titles and text"),
    "board_theme": ("테마", "Theme"),
    "board_all_themes": ("모든 테마", "All themes"),
    "board_empty": ("아직 글이 없어요. 첫 벽화를 공유해 보세요!", "No posts yet. Share the first mural!"),
    "board_no_results": ("조건에 맞는 글이 없어요.", "Nothing matches."),
    "board_more": ("더 보기", "Load more"),
    "board_anonymous": ("익명", "Anonymous"),
    "board_likes": ("좋아요 {n}", "{n} likes"),
    "board_comments_n": ("댓글 {n}", "{n} comments"),
    "board_views_n": ("조회 {n}", "{n} views"),
    "board_like": ("좋아요", "Like"),
    "board_liked": ("좋아요 취소", "Unlike"),
    "board_login_to_like": ("로그인하고 좋아요", "Log in to like"),
    "board_before": ("전", "Before"),
    "board_after": ("후", "After"),
    "board_compare": ("전후 비교: 밀어서 보기", "Compare: slide to reveal"),
    "board_before_alt": ("벽화를 그리기 전 벽 사진", "The wall before the mural"),
    "board_after_alt": ("벽화를 그린 뒤: {title}", "The mural: {title}"),
    "board_share": ("공유", "Share"),
    "board_copy_link": ("링크 복사", "Copy link"),
    "board_copied": ("링크를 복사했어요.", "Link copied."),
    "board_edit": ("수정", "Edit"),
    "board_delete": ("삭제", "Delete"),
    "board_delete_confirm": ("이 글을 삭제할까요? 되돌릴 수 없어요.", "Delete this post? This cannot be undone."),
    "board_comment_delete_confirm": ("이 댓글을 삭제할까요?", "Delete this comment?"),
    "board_report": ("신고", "Report"),
    "board_report_reason": ("신고 사유", "Reason"),
    "board_report_submit": ("신고하기", "Send report"),
    "board_report_thanks": ("신고가 접수되었어요. 관리자가 확인할게요.", "Thanks, the moderators will take a look."),
    "board_comments": ("댓글", "Comments"),
    "board_comment_label": ("댓글 쓰기", "Write a comment"),
    "board_comment_placeholder": ("따뜻한 댓글을 남겨 주세요 (최대 500자)", "Leave a kind comment (up to 500 characters)"),
    "board_comment_submit": ("댓글 달기", "Post comment"),
    "board_login_to_comment": ("댓글을 달려면 로그인하세요.", "Log in to comment."),
    "board_no_comments": ("첫 댓글을 남겨 보세요.", "Be the first to comment."),
    "board_more_comments": ("댓글 더 보기", "More comments"),
    "board_hidden_notice": ("관리자가 숨긴 글이에요. 작성자와 관리자만 볼 수 있어요.",
                            "Hidden by a moderator: only the author and admins can see it."),
    "board_deleted_notice": ("이 글은 삭제되었거나 숨겨졌어요.", "This post was deleted or hidden."),
    "board_new_title": ("벽화 공유하기", "Share a mural"),
    "board_pick_task": ("공유할 벽화를 고르세요.", "Pick a mural to share."),
    "board_no_tasks": ("공유할 수 있는 완성된 벽화가 아직 없어요.", "You have no finished murals to share yet."),
    "board_pick_result": ("공유할 결과", "Result to share"),
    "board_result_n": ("결과 {n}", "Result {n}"),
    "board_already_shared": ("이미 공유함", "Already shared"),
    "board_all_shared": ("이 작업의 결과는 모두 공유했어요.", "Every result of this task is already shared."),
    "board_field_title": ("제목", "Title"),
    "board_field_content": ("내용", "Text"),
    "board_title_hint": ("5–60자", "5–60 characters"),
    "board_content_hint": ("선택 · 최대 2000자", "Optional · up to 2000 characters"),
    "board_anonymous_label": ("익명으로 올리기", "Post anonymously"),
    "board_anonymous_hint": ("다른 사람에게 닉네임이 보이지 않아요. 수정과 삭제는 그대로 할 수 있어요.",
                             "Others won't see your nickname. You can still edit and delete the post."),
    "board_publish": ("공유하기", "Publish"),
    "board_save": ("저장", "Save"),
    "board_cancel": ("취소", "Cancel"),
    "board_edit_title": ("글 수정", "Edit post"),
    "board_live": ("실시간으로 업데이트돼요", "Updates live"),
    "board_mine": ("내 글", "My post"),
    "board_back": ("목록으로", "Back to the board"),
    "board_og_description": ("색담으로 그린 AI 벽화의 전후를 확인해 보세요.", "See the before and after of an AI mural painted with Saekdam."),
    "board_task_not_ready": ("아직 완성되지 않은 작업이에요. 완성된 뒤에 공유할 수 있어요.",
                             "This task has not finished yet; share it once it has."),
    "board_theme_name": ("테마: {name}", "Theme: {name}"),
    "board_edited": ("수정됨", "edited"),
}


def translate(lang: str, key: str, **params: Any) -> str:
    """The message for ``key`` in ``lang`` (Korean when unknown), with ``{params}`` filled in."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError):
        return text


def pick_language(cookie: str | None, accept_language: str | None, default: Language = "ko") -> Language:
    """Cookie choice first, then the browser's preference, then the default."""
    if cookie in LANGUAGES:
        return cookie  # type: ignore[return-value]
    if accept_language:
        for part in accept_language.split(","):
            tag = part.split(";")[0].strip().lower()[:2]
            if tag in LANGUAGES:
                return tag  # type: ignore[return-value]
    return default
