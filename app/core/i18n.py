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
    "csrf_failed": (
        "보안 토큰이 없거나 올바르지 않습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요.",
        "The security token is missing or wrong. Reload the page and try again.",
    ),
    "cross_origin": ("다른 사이트에서 연 연결은 받지 않습니다.", "Connections opened by another site are refused."),
    "not_found": ("찾을 수 없습니다.", "Not found."),
    "conflict": ("현재 상태에서는 할 수 없는 요청입니다.", "That is not possible in the current state."),
    "email_taken": ("이미 가입된 이메일입니다.", "This email is already registered."),
    "too_large": ("파일이 너무 큽니다.", "The file is too large."),
    "unsupported_media_type": ("지원하지 않는 형식입니다.", "This media type is not supported."),
    "unprocessable": ("처리할 수 없는 요청입니다.", "The request cannot be processed."),
    "rate_limited": ("요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.", "Too many requests. Try again shortly."),
    "too_many_login_failures": (
        "로그인 실패가 너무 많습니다. {wait} 후 다시 시도해 주세요.",
        "Too many failed logins. Try again in {wait}.",
    ),
    "unavailable": ("서비스를 잠시 사용할 수 없습니다.", "The service is unavailable for a moment."),
    "internal_error": ("서버 오류가 발생했습니다.", "Something went wrong on our side."),
    "method_not_allowed": ("허용되지 않는 메서드입니다.", "Method not allowed."),
    # tasks (keys = error codes the API and the task page show)
    "unknown_theme": ("없는 테마입니다.", "There is no such theme."),
    "invalid_state": ("지금 상태에서는 할 수 없습니다.", "Not possible in the task's current state."),
    "photo_missing": (
        "사진이 아직 업로드되지 않았습니다. 업로드를 마친 뒤 다시 시도해 주세요.",
        "The photo has not been uploaded yet. Finish the upload, then try again.",
    ),
    "mask_missing": ("마스크가 아직 업로드되지 않았습니다.", "The mask has not been uploaded yet."),
    "ops_title": ("운영 현황", "Operations"),
    "ops_intro": (
        "워커는 몇 초마다 신호를 보냅니다. {stale}초 넘게 조용한 워커는 <strong>응답 없음</strong>으로 표시됩니다. 이 "
        "화면은 5초마다 새로 고칩니다.",
        "Workers report a heartbeat every few seconds; one silent for more than {stale} s is flagged "
        "<strong>stale</strong>. This panel refreshes itself every 5 seconds.",
    ),
    "ops_workers": ("워커", "Workers"),
    "ops_name": ("이름", "Name"),
    "ops_host": ("호스트", "Host"),
    "ops_device": ("GPU / 장치", "GPU / device"),
    "ops_state": ("상태", "State"),
    "ops_current": ("현재 작업", "Current job"),
    "ops_jobs_done": ("끝낸 작업", "Jobs done"),
    "ops_last_seen": ("마지막 신호", "Last seen"),
    "ops_stale": ("응답 없음", "stale"),
    "ops_state_idle": ("대기 중", "idle"),
    "ops_state_loading": ("준비 중", "loading"),
    "ops_state_ready": ("준비됨", "ready"),
    "ops_state_busy": ("그리는 중", "busy"),
    "ops_state_unavailable": ("사용할 수 없음", "unavailable"),
    "ops_state_stopping": ("멈추는 중", "stopping"),
    "ops_state_unknown": ("알 수 없음", "unknown"),
    "ops_idle": ("대기 중", "idle"),
    "ops_seconds_ago": ("{s}초 전", "{s} s ago"),
    "ops_never": ("없음", "never"),
    "ops_no_workers": (
        "신호를 보낸 워커가 없습니다. <code>saekdam worker</code>로 시작하세요. 그때까지 작업은 대기열에서 기다립니다.",
        "No worker has reported. Start one with <code>saekdam worker</code>; queued tasks wait until then.",
    ),
    "ops_queue": ("대기열", "Queue"),
    "ops_waiting": ("대기", "Waiting"),
    "ops_running": ("실행 중", "running"),
    "ops_queue_unknown": ("알 수 없음 (대기열에 닿지 않음)", "unknown (queue unreachable)"),
    "ops_failures": ("최근 실패", "Recent failures"),
    "ops_finished": ("끝난 때", "Finished"),
    "ops_task": ("작업", "Task"),
    "ops_error": ("오류", "Error"),
    "ops_detail": ("자세히", "Detail"),
    "ops_worker": ("워커", "Worker"),
    "ops_attempts": ("시도", "Attempts"),
    "ops_no_failures": ("실패한 작업이 없습니다.", "No failed tasks."),
    "invalid_signature": (
        "링크가 올바르지 않습니다. 앱에서 새 링크를 받아 주세요.",
        "This link is not valid. Get a new link from the app.",
    ),
    "url_expired": (
        "링크가 만료되었습니다. 앱에서 새 링크를 받아 주세요.",
        "This link has expired. Get a new link from the app.",
    ),
    "content_type_mismatch": ("이 링크는 다른 종류의 파일만 받습니다.", "This link accepts a different type of file."),
    "already_uploaded": (
        "이 링크로 이미 파일을 올렸습니다. 원본은 바뀌지 않습니다.",
        "A file was already uploaded to this link; the original is kept.",
    ),
    "size_mismatch": (
        "업로드한 파일 크기가 신고한 크기와 다릅니다.",
        "The uploaded file's size differs from the declared size.",
    ),
    "too_many_active_tasks": (
        "동시에 진행할 수 있는 작업 수({max}개)를 넘었습니다. 진행 중인 작업이 끝난 뒤 다시 시도해 주세요.",
        "You already have {max} murals in progress. Try again when one has finished.",
    ),
    "content_held": (
        "이 결과는 자동 안전 검사에서 보류되어 게시판에 올릴 수 없습니다. 내 벽화에서는 계속 볼 수 있고, 관리자가 "
        "검토해 허용하면 게시할 수 있어요.",
        "This result was held by the automatic safety check and cannot be posted to the board. It stays visible to "
        "you in your murals; once an admin has reviewed and released it, you can post it.",
    ),
    "too_many_streams": (
        "열어 둔 실시간 연결이 너무 많습니다(최대 {max}개). 다른 창이나 탭을 닫고 잠시 후 다시 시도해 주세요.",
        "Too many live connections are open (at most {max}). Close another window or tab and try again shortly.",
    ),
    "request_timeout": (
        "요청을 받는 데 시간이 너무 오래 걸렸습니다. 연결을 확인한 뒤 다시 시도해 주세요.",
        "The request took too long to arrive. Check the connection and try again.",
    ),
    "too_many_open_tasks": (
        "사진을 기다리는 작업이 너무 많습니다(최대 {max}개). 기존 작업을 제출하거나 삭제한 뒤 다시 시도해 주세요.",
        "You have {max} murals waiting for their photo. Submit or delete one, then try again.",
    ),
    "upload_quota_exceeded": (
        "사진을 기다리는 작업들의 업로드 용량이 한도({max_mb} MB)를 넘습니다. 기존 작업을 제출하거나 삭제한 뒤 다시 "
        "시도해 주세요.",
        "Your murals waiting for their photo would upload more than {max_mb} MB. Submit or delete one, then try again.",
    ),
    "daily_quota_exceeded": (
        "오늘 만들 수 있는 벽화 수({max}개)를 모두 사용했습니다. 내일 다시 시도해 주세요.",
        "You have used today's {max} murals. Try again tomorrow.",
    ),
    "unsupported_image": (
        "JPEG, PNG, WebP 사진만 사용할 수 있습니다. 파일이 손상되지 않았는지 확인해 주세요.",
        "Only JPEG, PNG and WebP photos work. Check that the file is not damaged.",
    ),
    "image_too_large": ("사진 파일이 너무 큽니다(최대 25MB).", "The photo file is too large (25 MB at most)."),
    "too_many_pixels": (
        "사진 해상도가 너무 큽니다(최대 4천만 화소).",
        "The photo has too many pixels (40 megapixels at most).",
    ),
    "image_too_small": (
        "사진이 너무 작습니다. 더 큰 사진을 올려 주세요.",
        "The photo is too small. Upload a larger one.",
    ),
    "invalid_region": (
        "선택한 영역이 사진 밖에 있거나 너무 작습니다(최소 64×64).",
        "The chosen area is outside the photo or too small (64×64 at least).",
    ),
    "invalid_quad": (
        "벽의 네 모서리가 사진 안에 있고, 볼록한 사각형(왼쪽 위, 오른쪽 위, 오른쪽 아래, 왼쪽 아래 순서)이며, 각 변이 "
        "64픽셀 이상이어야 합니다.",
        "The wall's four corners must lie inside the photo, form a convex quad (top-left, top-right, bottom-right, "
        "bottom-left) and each side must be at least 64 px.",
    ),
    "invalid_mask": ("마스크는 사진과 같은 크기의 PNG여야 합니다.", "The mask must be a PNG of the photo's size."),
    "no_wall_found": (
        "사진에서 벽을 찾지 못했습니다. 벽이 크게 보이게 다시 찍거나, 칠할 영역을 직접 지정해 주세요.",
        "No wall was found in the photo. Take one where the wall fills more of the frame, or mark the area yourself.",
    ),
    "model_unavailable": (
        "그림 모델을 사용할 수 없습니다. 잠시 후 다시 시도해 주세요.",
        "The painting model is unavailable. Please try again later.",
    ),
    "fast_mode_unavailable": (
        "빠른 모드를 사용할 수 없습니다. 빠른 모드를 끄고 다시 시도해 주세요.",
        "Fast mode is not available. Turn it off and try again.",
    ),
    "guide_unavailable": (
        "이 서버에서는 선택한 형태 안내(선/깊이)를 쓸 수 없습니다. 고급 설정에서 '없음'을 골라 다시 시도해 주세요.",
        "The chosen shape guide (lines/depth) is not available on this server. Choose 'none' in the advanced options "
        "and try again.",
    ),
    "worker_lost": (
        "그림을 그리던 서버가 응답하지 않아 작업이 중단되었습니다. 다시 시도해 주세요.",
        "The server painting this mural stopped responding. Please try again.",
    ),
    "storage_error": (
        "파일 저장소 오류로 작업을 끝내지 못했습니다. 다시 시도해 주세요.",
        "A storage error stopped the job. Please try again.",
    ),
    "painting_failed": ("그림을 그리는 중 오류가 났습니다. 다시 시도해 주세요.", "Painting failed. Please try again."),
    "translation_failed": (
        "소원을 영어로 번역하지 못했습니다. 영어로 적어 주세요.",
        "The wish could not be translated. Please write it in English.",
    ),
    "invalid_request": ("작업 옵션이 올바르지 않습니다.", "The job's options are not valid."),
    "canceled": ("작업이 취소되었습니다.", "The job was canceled."),
    "job_timeout": (
        "작업이 제한 시간 안에 끝나지 않았습니다. 고급 설정에서 '다듬는 횟수'를 줄여 다시 시도해 주세요.",
        "The job did not finish in time. Try again with fewer “Touch-up passes” in the advanced options.",
    ),
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
    "home_lead": (
        "벽 사진을 찍고, 테마를 고르고, 원하는 그림을 적으세요. 색담이 사진 속 벽을 찾아 그 부분에만 벽화를 그려 "
        "드립니다. 완성된 전후 사진은 커뮤니티에 공유할 수 있어요.",
        "Take a photo of a wall, pick a theme and describe what you want. Saekdam finds the wall in the photo and "
        "paints a mural onto that region only. Share the before and after with the community.",
    ),
    "nav_create": ("벽화 만들기", "Create a mural"),
    "nav_my": ("내 벽화", "My murals"),
    "nav_board": ("커뮤니티", "Community"),
    "nav_main": ("주 메뉴", "Main menu"),
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
    # accounts v1.1: the account page, password reset, sign-in with a provider, terms and privacy
    "wrong_password": ("비밀번호가 올바르지 않습니다.", "The password is wrong."),
    "recent_login_required": (
        "보안을 위해 다시 로그인한 뒤 시도해 주세요.",
        "For your security, sign in again, then try once more.",
    ),
    "reset_link_invalid": (
        "비밀번호 재설정 링크가 올바르지 않거나, 이미 사용되었거나, 만료되었습니다. 새 링크를 요청해 주세요.",
        "This reset link is not valid, was already used or has expired. Ask for a new one.",
    ),
    "reset_sent": (
        "입력한 주소로 가입된 계정이 있으면 비밀번호를 다시 정할 수 있는 링크를 보냈습니다. 메일함(스팸함 포함)을 "
        "확인해 주세요.",
        "If an account uses this address, we sent it a link to choose a new password. Check your inbox (and spam "
        "folder).",
    ),
    "passwords_differ": ("새 비밀번호가 서로 다릅니다.", "The new passwords differ."),
    "invalid_id_token": (
        "로그인 정보(id_token)가 올바르지 않거나 만료되었습니다.",
        "The sign-in token (id_token) is not valid or has expired.",
    ),
    "oidc_failed": (
        "외부 계정으로 로그인하지 못했습니다. 처음부터 다시 시도해 주세요.",
        "Signing in with the provider failed. Please start again.",
    ),
    "oidc_canceled": ("외부 계정 로그인이 취소되었습니다.", "Signing in with the provider was canceled."),
    "provider_unavailable": (
        "로그인 제공자에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.",
        "The sign-in provider cannot be reached. Try again shortly.",
    ),
    "account_link_required": (
        "이 이메일로 가입된 계정이 이미 있습니다. 비밀번호로 로그인한 뒤 내 계정에서 연결해 주세요.",
        "An account with this email already exists. Log in with its password, then connect the provider on your "
        "account page.",
    ),
    "identity_in_use": (
        "이 외부 계정은 이미 다른 색담 계정에 연결되어 있습니다.",
        "This provider account is already connected to another Saekdam account.",
    ),
    "last_sign_in_method": (
        "비밀번호가 없는 계정의 하나뿐인 로그인 방법은 해제할 수 없습니다. 먼저 비밀번호를 정해 주세요.",
        "This is the only way into an account without a password: set a password first.",
    ),
    "account_disabled": ("사용할 수 없는 계정입니다.", "This account is disabled."),
    "admins_only": ("관리자만 들어갈 수 있습니다.", "Admins only."),
    "terms_required": (
        "이용약관과 개인정보 처리방침에 동의해 주세요.",
        "Please accept the terms and the privacy policy.",
    ),
    "account_delete_confirm_required": (
        "삭제할지 확인하고, 공유한 글을 어떻게 할지 골라 주세요.",
        "Confirm the deletion and choose what happens to your posts.",
    ),
    "nav_account": ("내 계정", "My account"),
    "account_title": ("내 계정", "My account"),
    "account_lead": (
        "닉네임과 비밀번호를 바꾸고, 내 데이터를 내려받거나 계정을 삭제할 수 있어요.",
        "Change your nickname and password, download your data or delete your account.",
    ),
    "account_profile": ("프로필", "Profile"),
    "account_email_none": ("(없음: 외부 계정으로 가입)", "(none: signed up with a provider)"),
    "account_save_nickname": ("닉네임 저장", "Save nickname"),
    "account_password": ("비밀번호 바꾸기", "Change password"),
    "account_set_password": ("비밀번호 정하기", "Set a password"),
    "account_set_password_hint": (
        "외부 계정으로 가입했어요. 비밀번호를 정하면 이메일로도 로그인할 수 있어요. 로그인한 지 {minutes}분 안에만 "
        "정할 수 있어요.",
        "You signed up with a provider. Set a password to log in with your email too (within {minutes} minutes of "
        "signing in).",
    ),
    "current_password": ("현재 비밀번호", "Current password"),
    "new_password": ("새 비밀번호", "New password"),
    "new_password_hint": (
        "8–128자. 바꾸면 다른 기기와 앱에서는 모두 로그아웃됩니다.",
        "8–128 characters. Other devices and apps are logged out when it changes.",
    ),
    "account_password_submit": ("비밀번호 바꾸기", "Change password"),
    "account_sessions": ("로그인된 기기", "Signed-in devices"),
    "account_sessions_lead": (
        "잃어버린 휴대폰이나 공용 컴퓨터에 로그인되어 있다면 모든 기기에서 로그아웃하세요. 이 브라우저와 앱도 모두 "
        "로그아웃됩니다.",
        "Signed in on a lost phone or a shared computer? Log out everywhere: this browser and every app are logged "
        "out too.",
    ),
    "account_logout_all": ("모든 기기에서 로그아웃", "Log out everywhere"),
    "account_providers": ("연결된 로그인", "Connected sign-ins"),
    "account_providers_lead": ("연결하면 그 계정으로도 로그인할 수 있어요.", "Connected accounts can sign you in too."),
    "account_connect": ("연결하기", "Connect"),
    "account_connected": ("연결됨", "Connected"),
    "account_disconnect": ("연결 해제", "Disconnect"),
    "account_export": ("내 데이터 내려받기", "Download my data"),
    "account_export_lead": (
        "프로필, 벽화 작업, 글, 댓글, 좋아요와 올린 사진·마스크·결과 원본을 zip 파일 하나로 받아요.",
        "Your profile, mural tasks, posts, comments, likes and every photo, mask and result as they are stored, in "
        "one zip file.",
    ),
    "account_export_button": ("zip 내려받기", "Download zip"),
    "account_delete": ("계정 삭제", "Delete account"),
    "account_delete_lead": (
        "계정과 벽화 작업, 사진, 결과, 좋아요, 댓글이 모두 지워지고 되돌릴 수 없어요. 모든 기기에서 로그아웃됩니다.",
        "Your account, mural tasks, photos, results, likes and comments are all deleted, and this cannot be undone. "
        "Every device is logged out.",
    ),
    "account_delete_posts": ("커뮤니티에 공유한 글은", "Your community posts"),
    "account_delete_posts_delete": ("함께 삭제", "Delete them too"),
    "account_delete_posts_anonymize": (
        "작성자 없이 남기기 (익명, 되돌릴 수 없음)",
        "Keep them without an author (anonymous, for good)",
    ),
    "account_delete_confirm": (
        "되돌릴 수 없다는 것을 이해했고, 계정을 삭제합니다.",
        "I understand this cannot be undone: delete my account.",
    ),
    "account_delete_password": ("확인을 위해 비밀번호를 입력해 주세요.", "Enter your password to confirm."),
    "account_delete_recent": (
        "비밀번호가 없는 계정은 로그인한 지 {minutes}분 안에만 삭제할 수 있어요. 필요하면 다시 로그인해 주세요.",
        "An account without a password can be deleted within {minutes} minutes of signing in: sign in again if needed.",
    ),
    "account_delete_button": ("계정 영구 삭제", "Delete my account for good"),
    "account_done_nickname": ("닉네임을 바꿨어요.", "Your nickname was changed."),
    "account_done_password": (
        "비밀번호를 바꿨어요. 다른 기기와 앱에서는 모두 로그아웃되었습니다.",
        "Your password was changed. Every other device and app was logged out.",
    ),
    "account_done_reset": (
        "새 비밀번호로 로그인했어요. 다른 기기와 앱에서는 모두 로그아웃되었습니다.",
        "You are logged in with your new password. Every other device and app was logged out.",
    ),
    "account_done_linked": ("{provider} 계정을 연결했어요.", "Your {provider} account is connected."),
    "account_done_unlinked": ("{provider} 계정 연결을 해제했어요.", "Your {provider} account is disconnected."),
    "logged_out_everywhere": (
        "모든 기기와 앱에서 로그아웃했어요. 다시 로그인해 주세요.",
        "You were logged out on every device and app. Log in again.",
    ),
    "account_deleted_title": ("계정을 삭제했어요", "Your account is deleted"),
    "account_deleted_lead": (
        "계정과 데이터를 모두 지웠어요. 그동안 색담을 이용해 주셔서 고맙습니다.",
        "Your account and its data are gone. Thank you for using Saekdam.",
    ),
    "forgot_link": ("비밀번호를 잊으셨나요?", "Forgot your password?"),
    "forgot_title": ("비밀번호 다시 정하기", "Reset your password"),
    "forgot_lead": (
        "가입한 이메일 주소를 입력하면 비밀번호를 다시 정하는 링크를 보내 드려요. 링크는 {minutes}분 동안 한 번만 쓸 "
        "수 있어요.",
        "Enter the address you signed up with and we send you a link to choose a new password. It works once, for "
        "{minutes} minutes.",
    ),
    "forgot_submit": ("링크 보내기", "Send the link"),
    "forgot_sent_title": ("메일을 확인해 주세요", "Check your mail"),
    "forgot_back": ("로그인으로 돌아가기", "Back to log in"),
    "reset_title": ("새 비밀번호 정하기", "Choose a new password"),
    "reset_lead": (
        "새 비밀번호를 정하면 모든 기기와 앱에서 로그아웃되고, 이 브라우저에서 바로 로그인돼요.",
        "Choosing a new password logs out every device and app, and logs you in here.",
    ),
    "reset_submit": ("비밀번호 바꾸고 로그인", "Change password and log in"),
    "reset_new_link": ("새 링크 요청하기", "Ask for a new link"),
    "mail_reset_subject": ("[색담] 비밀번호 다시 정하기", "[Saekdam] Choose a new password"),
    "mail_reset_body": (
        "{nickname}님, 안녕하세요.\n\n색담 계정의 비밀번호를 다시 정하려면 아래 링크를 여세요. 링크는 {minutes}분 "
        "동안 한 번만 쓸 수 있어요.\n\n{link}\n\n새 비밀번호를 정하면 모든 기기와 앱에서 로그아웃됩니다.\n직접 "
        "요청하지 않았다면 이 메일은 무시해도 괜찮아요. 비밀번호는 바뀌지 않습니다.\n\n— 색담 Saekdam\n",
        "Hello {nickname},\n\nOpen the link below to choose a new password for your Saekdam account. It works once, "
        "for {minutes} minutes.\n\n{link}\n\nChoosing a new password logs out every device and app.\nIf you did not "
        "ask for this, ignore this mail: your password stays as it is.\n\n— Saekdam\n",
    ),
    "oidc_or": ("또는", "or"),
    "oidc_terms_note": (
        "외부 계정으로 처음 로그인하면 이용약관과 개인정보 처리방침에 동의하는 것으로 봅니다.",
        "Signing in with a provider for the first time means accepting the terms and the privacy policy.",
    ),
    "oidc_link_title": ("계정 연결", "Connect your account"),
    "oidc_link_lead": (
        "{email} 주소로 가입된 색담 계정이 있어요. 그 계정의 비밀번호를 입력하면 {provider}(으)로도 로그인할 수 있게 "
        "연결합니다.",
        "A Saekdam account already uses {email}. Enter its password to connect it, so that {provider} signs you in "
        "too.",
    ),
    "oidc_link_submit": ("연결하고 로그인", "Connect and log in"),
    "signup_terms": (
        "이용약관과 개인정보 처리방침에 동의합니다 (필수)",
        "I accept the terms and the privacy policy (required)",
    ),
    "footer_terms": ("이용약관", "Terms"),
    "footer_privacy": ("개인정보 처리방침", "Privacy"),
    "terms_title": ("이용약관", "Terms of use"),
    "privacy_title": ("개인정보 처리방침", "Privacy policy"),
    "legal_version": ("버전 {version}", "Version {version}"),
    "legal_operator": ("운영자", "Operator"),
    "legal_contact": ("연락처", "Contact"),
    "legal_operator_unset": (
        "이 사이트의 운영자가 아직 이름과 연락처를 정하지 않았어요.",
        "This site's operator has not set a name and contact yet.",
    ),
    "error_title": ("문제가 생겼어요", "Something went wrong"),
    "back_home": ("처음으로", "Back to the start"),
    "how_1": ("벽 사진 올리기", "Upload a wall photo"),
    "how_2": ("테마와 소원 고르기", "Pick a theme and a wish"),
    "how_3": ("실시간으로 그려지는 벽화 보기", "Watch the mural paint live"),
    "cta_start": ("지금 시작하기", "Start now"),
    "models_tiny_notice": (
        "실제 모델이 없어 테스트용 작은 모델로 그리고 있습니다. 결과는 무작위 무늬처럼 보입니다.",
        "The real models are not on this machine: painting with tiny test models, so results look like noise.",
    ),
    # task pages: create, task (live + result), my murals
    "create_title": ("벽화 만들기", "Create a mural"),
    "create_lead": (
        "벽 사진을 올리고, 칠할 곳과 테마, 소원을 고르면 색담이 벽화를 그려 드려요.",
        "Upload a wall photo, choose where to paint, a theme and your wish, and Saekdam paints the mural.",
    ),
    "needs_js": ("이 페이지는 자바스크립트가 필요합니다.", "This page needs JavaScript."),
    "step_photo": ("벽 사진", "Wall photo"),
    "step_region": ("그릴 곳", "Where to paint"),
    "step_theme": ("테마", "Theme"),
    "step_wish": ("소원", "Your wish"),
    "drop_here": ("사진을 여기에 끌어다 놓거나, 사진을 찍거나 고르세요.", "Drop a photo here, or take or choose one."),
    "take_photo": ("사진 찍기", "Take a photo"),
    "choose_photo": ("사진 고르기", "Choose a photo"),
    "photo_hint": (
        "JPEG, PNG, WebP · 최대 25MB · 벽이 크게 보이게 찍으면 좋아요",
        "JPEG, PNG or WebP · up to 25 MB · let the wall fill the frame",
    ),
    "photo_alt": ("올린 벽 사진", "The uploaded wall photo"),
    "photo_too_big": ("사진이 너무 큽니다(최대 25MB).", "The photo is too large (25 MB at most)."),
    "photo_bad_type": ("JPEG, PNG, WebP 사진만 올릴 수 있습니다.", "Only JPEG, PNG and WebP photos can be uploaded."),
    "upload_label": ("업로드 진행률", "Upload progress"),
    "upload_progress": ("올리는 중… {pct}%", "Uploading… {pct}%"),
    "upload_done": ("사진을 올렸어요.", "Photo uploaded."),
    "upload_failed": (
        "사진을 올리지 못했습니다. 다시 시도해 주세요.",
        "The photo could not be uploaded. Please try again.",
    ),
    "stage_empty": ("사진을 올리면 여기에 보여요.", "Your photo will show here."),
    "stage_label": ("사진 위 영역 편집기", "Area editor over the photo"),
    "region": ("영역", "Area"),
    "region_auto": ("벽 자동 찾기", "Find the wall"),
    "region_box": ("상자 그리기", "Draw a box"),
    "region_mask": ("브러시로 칠하기", "Paint a mask"),
    "region_auto_help": (
        "색담이 사진 속 벽을 찾아 분홍색으로 보여 줍니다. 그 부분에만 벽화를 그려요.",
        "Saekdam finds the wall and tints it pink; the mural is painted there only.",
    ),
    "region_box_help": (
        "사진 위를 끌어서 상자를 그리세요(최소 64×64 픽셀).",
        "Drag on the photo to draw a box (64×64 px at least).",
    ),
    "box_keys": (
        "키보드: 사진에 초점을 두고 화살표 키로 상자를 옮기고, Alt+화살표로 크기를 바꿔요.",
        "Keyboard: with the photo focused, arrow keys move the box and Alt+arrows resize it.",
    ),
    "artworks_title": ("평평한 벽화 원본", "The flat mural"),
    "artworks_hint": (
        "벽을 정면에서 본 모양 그대로의 벽화예요. 실제로 칠할 때 밑그림으로 쓰세요.",
        "The mural as seen straight on, in the wall's proportions: the template for painting it for real.",
    ),
    "artwork_n": ("원본 {n} 받기", "Download flat mural {n}"),
    "painted_how_wall": ("벽에 칠하기(빛과 질감 유지)", "Painted on the wall (light and texture kept)"),
    "painted_how_cover": ("덮어 그리기", "Covered"),
    "painted_protected": ("창문·문 등은 그대로", "windows, doors … kept"),
    "region_quad": ("네 모서리 맞추기", "Fit the corners"),
    "region_quad_help": (
        "비스듬히 찍은 벽이라면 벽의 네 모서리에 점을 맞추세요(마우스나 손가락으로 끌기). 색담이 벽을 정면에서 본 "
        "것처럼 평평하게 그린 뒤 원근에 맞춰 입혀요.",
        "For a wall photographed at an angle, put the four points on its corners (drag with the mouse or a finger). "
        "Saekdam paints the wall as if seen straight on, then lays the mural back in perspective.",
    ),
    "quad_keys": (
        "모서리 점에 초점을 두고 화살표 키로 옮길 수 있어요(Shift+화살표: 크게). Tab으로 다음 모서리로 가요.",
        "Focus a corner and move it with the arrow keys (Shift+arrow: bigger steps); Tab goes to the next corner.",
    ),
    "quad_corner_tl": ("왼쪽 위 모서리", "Top-left corner"),
    "quad_corner_tr": ("오른쪽 위 모서리", "Top-right corner"),
    "quad_corner_br": ("오른쪽 아래 모서리", "Bottom-right corner"),
    "quad_corner_bl": ("왼쪽 아래 모서리", "Bottom-left corner"),
    "quad_ok": (
        "벽의 네 모서리를 맞췄어요. 이 면에 원근에 맞춰 그려요.",
        "The wall's corners are set: the mural follows this plane's perspective.",
    ),
    "quad_moved": ("{corner}: {x}, {y}", "{corner}: {x}, {y}"),
    "quad_suggested": (
        "찾은 벽에 맞춰 모서리를 놓았어요. 필요하면 옮겨 주세요.",
        "The corners were placed on the wall found; move them if needed.",
    ),
    "need_quad": ("벽의 네 모서리를 맞춰 주세요.", "Place the wall's four corners."),
    "wall_options": ("벽에 칠하는 방식", "How the mural goes on the wall"),
    "blend_legend": ("칠하는 방식", "Blend"),
    "blend_wall": ("벽에 칠하기", "Paint on the wall"),
    "blend_cover": ("덮어 그리기", "Cover"),
    "blend_hint": (
        "'벽에 칠하기'는 벽의 빛과 그림자, 벽돌 줄눈과 금 같은 질감을 그대로 살려 정말 칠한 것처럼 보여요. '덮어 "
        "그리기'는 그림을 그대로 덮어요.",
        "“Paint on the wall” keeps the wall's light and shadow and its texture (brick joints, cracks), as if really "
        "painted; “Cover” lays the picture over it as painted.",
    ),
    "protect_label": ("창문·문·사람·나무 등은 칠하지 않기", "Protect windows, doors, people, plants …"),
    "protect_hint": (
        "벽 안의 창문, 문, 간판, 사람, 나무, 자동차 같은 것은 그대로 두어요(브러시로 칠한 영역은 칠한 그대로).",
        "Windows, doors, signs, people, trees and cars in the wall stay as they are (a painted mask is used as drawn).",
    ),
    "wall_size_label": ("벽 크기(미터, 선택)", "Wall size (metres, optional)"),
    "wall_size_w": ("너비", "Width"),
    "wall_size_h": ("높이", "Height"),
    "wall_size_hint": (
        "각 0.3–200 m. 네 모서리 모드에서는 벽화의 가로세로 비율이 되고, 페인트 양 계산에 쓰여요.",
        "0.3–200 m each. In corner mode it sets the mural's proportions; it also sizes the paint.",
    ),
    "wall_size_invalid": (
        "벽 크기는 너비와 높이를 모두, 각 0.3–200 m로 적어 주세요.",
        "Give both width and height, each 0.3–200 m.",
    ),
    "detail_label": ("세부 묘사", "Detail"),
    "detail_auto": ("서버에 맡기기", "Server's choice"),
    "detail_standard": ("표준", "Standard"),
    "detail_high": ("높음(큰 벽을 타일로 다듬기, 더 느림)", "High (refines large walls in tiles; slower)"),
    "detail_hint": (
        "높음: 큰 벽은 사진 해상도에 맞게 한 번 더 다듬어 흐릿하지 않아요.",
        "High: large walls get a second pass at the photo's resolution, so they are not blurry.",
    ),
    "guide_label": ("형태 안내", "Shape guide"),
    "guide_theme": ("테마 기본값", "Theme's default"),
    "guide_none": ("없음", "None"),
    "guide_lines": ("선(벽의 윤곽 유지)", "Lines (keep the wall's edges)"),
    "guide_depth": ("깊이(벽의 입체감 유지)", "Depth (keep the wall's relief)"),
    "guide_hint": (
        "벽의 모양(창틀, 기둥, 굴곡)을 벽화가 따르게 해요.",
        "Makes the mural follow the wall's shapes (frames, pillars, relief).",
    ),
    "region_mask_help": (
        "벽화를 그릴 곳을 브러시로 칠하세요. 지우개로 고칠 수 있어요.",
        "Paint where the mural should go; fix mistakes with the eraser.",
    ),
    "wall_finding": ("벽을 찾는 중…", "Finding the wall…"),
    "wall_found": (
        "벽을 찾았어요: 사진의 {pct}%. 분홍색 부분에 그려요.",
        "Wall found: {pct}% of the photo. The pink area will be painted.",
    ),
    "need_region_no_wall": (
        "'상자 그리기'나 '브러시로 칠하기'로 칠할 곳을 직접 지정해 주세요.",
        "Choose “Draw a box” or “Paint a mask” to mark the area yourself.",
    ),
    "box_legend": ("상자 좌표(사진 픽셀)", "Box in photo pixels"),
    "box_w": ("너비", "Width"),
    "box_h": ("높이", "Height"),
    "box_value": ("상자: x {x}, y {y}, {w}×{h} 픽셀", "Box: x {x}, y {y}, {w}×{h} px"),
    "mask_tools": ("마스크 도구", "Mask tools"),
    "brush": ("브러시로 더하기", "Add (brush)"),
    "eraser": ("지우개로 덜기", "Trim (eraser)"),
    "mask_fill": ("전체 칠하기", "Fill all"),
    "mask_clear": ("모두 지우기", "Clear"),
    "brush_size": ("브러시 크기", "Brush size"),
    "brush_size_hint": ("숫자가 클수록 붓이 굵어요(2–30).", "The bigger the number, the thicker the brush (2–30)."),
    "brush_smaller": ("브러시 작게", "Smaller brush"),
    "brush_bigger": ("브러시 크게", "Bigger brush"),
    "mask_undo": ("되돌리기", "Undo"),
    "zoom_fit": ("전체 보기", "Fit"),
    "mask_redo": ("다시 하기", "Redo"),
    "mask_from_wall": ("찾은 벽으로 다시 시작", "Start again from the found wall"),
    "mask_from_wall_help": (
        "찾은 벽에서 시작했어요. 브러시로 더 칠하고, 지우개로 덜어내세요.",
        "Started from the wall that was found: add to it with the brush, trim it with the eraser.",
    ),
    "mask_keys": (
        "키보드: 사진에 초점을 두고 화살표로 움직이고, 스페이스로 칠하기를 켜고 끄며, Enter로 한 번 칠합니다. B "
        "브러시, E 지우개, +/- 크기.",
        "Keyboard: focus the photo, move with the arrows, Space toggles painting, Enter paints once. B brush, E "
        "eraser, +/- size.",
    ),
    "mask_pen_down": ("칠하기 켜짐: 화살표로 움직이면 칠해집니다.", "Painting on: moving with the arrows paints."),
    "mask_pen_up": ("칠하기 꺼짐.", "Painting off."),
    "theme_none": ("테마 없음", "No theme"),
    "theme_desc_nature": ("부드러운 초록빛의 숲, 꽃, 산", "Forests, flowers and mountains in soft greens"),
    "theme_desc_urban": ("과감한 색의 거리 예술과 도시 풍경", "Bold street-art city scenes and graffiti colours"),
    "theme_desc_play": (
        "놀이터와 아이 방에 어울리는 명랑한 모양",
        "Cheerful, playful shapes for playgrounds and kids' rooms",
    ),
    "theme_desc_ocean": ("깊고 푸른 파도, 고래, 산호초", "Waves, whales and coral reefs in deep blues"),
    "theme_desc_animals": ("동화책 같은 따뜻한 동물 친구들", "Friendly animals in a warm, storybook style"),
    "theme_desc_space": ("밤하늘 가득한 행성, 별, 로켓", "Planets, stars and rockets across a night-sky wall"),
    "wish_label": ("어떤 벽화를 원하세요?", "What should the mural show?"),
    "wish_placeholder": ("예: 고래가 헤엄치는 푸른 바다", "e.g. whales swimming in a blue sea"),
    "wish_hint": ("한국어나 영어로 1–500자", "1–500 characters, Korean or English"),
    "wish_examples": ("예시를 누르면 소원 칸에 들어가요", "Tap an example to use it as your wish"),
    "wish_examples_pick_theme": (
        "테마를 고르면 그 테마에 어울리는 예시가 나와요.",
        "Pick a theme to see examples that suit it.",
    ),
    "advanced": ("고급 설정", "Advanced options"),
    "steps": ("다듬는 횟수", "Touch-up passes"),
    "steps_help": (
        "많을수록 더 꼼꼼하게 그리지만 오래 걸려요. 비워 두면 테마에 맞게 정해요(1–50).",
        "More passes paint more carefully but take longer. Leave empty for the theme's choice (1–50).",
    ),
    "steps_default": ("자동", "automatic"),
    "seed": ("그림 번호", "Picture number"),
    "seed_help": (
        "같은 번호와 소원이면 같은 그림을 다시 그려요. 비워 두면 매번 새 그림이에요.",
        "The same number and wish paint the same picture again. Leave empty for a new one each time.",
    ),
    "seed_random": ("비워 두면 새 그림", "empty: a new picture"),
    "variations": ("한 번에 그릴 그림 수", "Pictures at once"),
    "variations_help": (
        "여러 장을 그려 마음에 드는 것을 고를 수 있어요. 많을수록 오래 걸려요.",
        "Paint several and keep the one you like; more take longer.",
    ),
    "strength": ("얼마나 바꿀까요", "How much to change"),
    "strength_hint": (
        "왼쪽으로 갈수록 원래 벽의 모습이 더 남고, 오른쪽 끝은 완전히 새로 그려요.",
        "Towards the left keeps more of the original wall; the right end paints it all anew.",
    ),
    "fast_mode": ("빠른 모드", "Fast mode"),
    "fast_hint": (
        "몇 번만 다듬어 빨리 그려요. 그림이 조금 덜 꼼꼼해요.",
        "Paints with only a few passes: quicker, a little less careful.",
    ),
    "submit_paint": ("벽화 그리기", "Paint the mural"),
    "submitting": ("보내는 중…", "Sending…"),
    "need_photo": ("먼저 벽 사진을 올려 주세요.", "Upload a wall photo first."),
    "need_theme": ("테마를 하나 골라 주세요.", "Pick a theme."),
    "need_prompt": ("원하는 벽화를 적어 주세요.", "Describe the mural you want."),
    "need_box": ("사진 위에 64×64 픽셀 이상의 상자를 그려 주세요.", "Draw a box of at least 64×64 px on the photo."),
    "need_mask": ("사진 위에 칠할 곳을 브러시로 칠해 주세요.", "Paint the area on the photo with the brush."),
    "fix_fields": ("표시된 항목을 확인해 주세요.", "Please check the marked fields."),
    "network_error": (
        "서버에 연결하지 못했습니다. 연결을 확인하고 다시 시도해 주세요.",
        "Could not reach the server. Check the connection and try again.",
    ),
    "task_title": ("{theme} 벽화", "{theme} mural"),
    "created_at": ("만든 때", "Created"),
    "live_title": ("진행 상황", "Progress"),
    "status_created": ("제출 전", "Not submitted"),
    "status_queued": ("대기 중", "Queued"),
    "status_running": ("그리는 중", "Painting"),
    "status_succeeded": ("완성", "Done"),
    "status_failed": ("실패", "Failed"),
    "status_canceled": ("취소됨", "Canceled"),
    "created_text": ("아직 제출하지 않은 작업입니다.", "This task has not been submitted yet."),
    "queue_position": ("앞에 {n}개의 작업이 있어요.", "{n} ahead of you in the queue."),
    "queue_next": ("곧 시작해요.", "Starting soon."),
    "running_text": (
        "벽화를 그리고 있어요. 이 페이지를 닫아도 계속 그려요.",
        "Painting your mural. It goes on even if you close this page.",
    ),
    "running_retry": ("서버가 바뀌어 처음부터 다시 그리고 있어요.", "Started again on another server."),
    "progress_label": ("그리기 진행률", "Painting progress"),
    "progress_steps": ("{total}번 중 {step}번째 다듬는 중", "Touch-up {step} of {total}"),
    "progress_preparing": ("준비 중…", "Getting ready…"),
    "progress_waiting": ("차례를 기다리는 중", "Waiting for its turn"),
    "eta_soon": ("곧 끝나요", "almost done"),
    "eta_seconds": ("약 {n}초 남음", "about {n} s left"),
    "eta_minutes": ("약 {n}분 남음", "about {n} min left"),
    "before": ("전", "Before"),
    "after": ("후", "After"),
    "before_alt": ("원래 벽 사진", "The original wall photo"),
    "after_alt": ("벽화를 그린 사진", "The photo with the mural"),
    "preview_alt": ("그리는 중인 벽화 미리보기", "Preview of the mural being painted"),
    "preview_wait": ("미리보기가 곧 나타나요", "A preview appears soon"),
    "preview_caption": ("미리보기", "Preview"),
    "notify_lead": (
        "기다리지 않아도 돼요. 이 페이지를 닫아도 서버에서 계속 그려요.",
        "No need to wait: it keeps painting on the server even if you close this page.",
    ),
    "notify_browser": ("다 되면 이 기기로 알림 받기", "Notify me on this device when it's done"),
    "notify_browser_on": (
        "알림을 켰어요. 다른 화면을 보고 있어도 다 되면 알려 드려요.",
        "Notifications are on: you hear from us when it's done, even in another tab or app.",
    ),
    "notify_browser_denied": (
        "브라우저에서 알림이 막혀 있어요. 브라우저 설정에서 허용할 수 있어요.",
        "Notifications are blocked in this browser; you can allow them in its settings.",
    ),
    "notify_done_title": ("벽화가 완성되었어요", "Your mural is ready"),
    "notify_failed_title": ("벽화를 그리지 못했어요", "The mural could not be painted"),
    "notify_done_body": ("눌러서 전후를 확인해 보세요.", "Tap to see the before and after."),
    "notify_failed_body": ("눌러서 무엇을 하면 되는지 확인해 보세요.", "Tap to see what to do next."),
    "notify_email_on": ("다 되면 이메일로도 알려 주세요", "Email me when it's done"),
    "notify_email_off": ("이메일 알림 끄기", "Turn off the email"),
    "notify_email_set": ("다 되면 {email}(으)로 메일을 보내 드려요.", "We'll email {email} when it's done."),
    "mail_done_succeeded_subject": ("[색담] 벽화가 완성되었어요", "[Saekdam] Your mural is ready"),
    "mail_done_succeeded_body": (
        "{nickname}님, 안녕하세요.\n\n“{wish}” 벽화가 완성되었어요. 아래 링크에서 전후를 비교하고 저장하거나 "
        "커뮤니티에 올릴 수 있어요.\n\n{link}\n\n이 메일은 작업 페이지에서 이메일 알림을 켜서 보내 드렸어요.\n\n— "
        "색담 Saekdam\n",
        "Hello {nickname},\n\nYour mural “{wish}” is ready. Compare the before and after, save it or share it on the "
        "board here:\n\n{link}\n\nYou get this mail because you turned on the email on the task's page.\n\n— Saekdam\n",
    ),
    "mail_done_failed_subject": ("[색담] 벽화를 그리지 못했어요", "[Saekdam] The mural could not be painted"),
    "mail_done_failed_body": (
        "{nickname}님, 안녕하세요.\n\n“{wish}” 벽화를 그리지 못했어요. 아래 링크에서 이유와 다시 그리는 방법을 확인해 "
        "주세요.\n\n{link}\n\n이 메일은 작업 페이지에서 이메일 알림을 켜서 보내 드렸어요.\n\n— 색담 Saekdam\n",
        "Hello {nickname},\n\nThe mural “{wish}” could not be painted. See why and how to paint it again "
        "here:\n\n{link}\n\nYou get this mail because you turned on the email on the task's page.\n\n— Saekdam\n",
    ),
    "cancel": ("그리기 취소", "Cancel painting"),
    "cancel_confirm": ("이 벽화 그리기를 취소할까요?", "Cancel painting this mural?"),
    "result_title": ("벽화가 완성되었어요", "Your mural is ready"),
    "compare_label": ("전후 비교 (왼쪽: 원래 벽, 오른쪽: 벽화)", "Before and after (left: original, right: mural)"),
    "compare_value": ("원래 벽 {n}%", "original {n}%"),
    "variations_title": ("그림 {n}장 · 눌러서 비교해 보세요", "{n} pictures · tap one to compare"),
    "variation_alt": ("그림 {n}", "Picture {n}"),
    "download": ("사진으로 저장", "Save the picture"),
    "download_n": ("그림 {n} 저장", "Save picture {n}"),
    "publish": ("커뮤니티에 올리기", "Share on the board"),
    "publish_hint": (
        "이웃에게 보여 주고, 오래 열리는 링크도 생겨요.",
        "Show it to your neighbours and get a link that lasts.",
    ),
    "share_title": ("저장하고 나누기", "Save and share"),
    "share_phone": ("휴대폰으로 보내기", "Send from this phone"),
    "share_phone_hint": (
        "카카오톡 같은 메신저로 보내거나 사진첩에 저장해요.",
        "Send it with a messaging app or save it to your photos.",
    ),
    "share_copy": ("사진 링크 복사", "Copy the picture's link"),
    "share_copied": (
        "링크를 복사했어요. 이 링크는 얼마 뒤 닫혀요: 오래 보여 주려면 커뮤니티에 올리세요.",
        "Link copied. It stops working after a while: to keep it, share it on the board.",
    ),
    "share_failed": (
        "보내지 못했어요. 저장하거나 링크를 복사해 주세요.",
        "Could not send it. Save it or copy the link instead.",
    ),
    "share_text": ("색담으로 그린 벽화: {wish}", "A mural painted with Saekdam: {wish}"),
    "save_all": ("모두 저장 (zip)", "Save all (zip)"),
    "retry_new_seed": ("다른 그림으로 다시 그리기", "Paint another version"),
    "retry_new_seed_help": (
        "같은 사진과 소원으로 새로운 그림을 한 번 더 그려요.",
        "Paints a new picture from the same photo and wish.",
    ),
    "create_another": ("새 벽화 만들기", "Create another"),
    "start_over": ("새로 만들기", "Start over"),
    "files_expired": ("보관 기간이 지나 파일이 삭제되었습니다.", "The files were deleted after the retention period."),
    "tech_detail": ("기술 정보", "Technical details"),
    "fail_generic": ("벽화를 그리지 못했어요", "The mural could not be painted"),
    "next_generic": (
        "잠시 후 다시 그려 보세요. 계속 실패하면 다른 사진으로 새로 만들어 주세요.",
        "Try painting again shortly. If it keeps failing, start over with another photo.",
    ),
    "fail_no_wall_found": ("벽을 찾지 못했어요", "No wall found"),
    "next_no_wall_found": (
        "사진에서 벽을 찾지 못했습니다. 새로 만들기에서 '상자 그리기'나 '브러시로 칠하기'로 칠할 곳을 직접 "
        "지정하거나, 벽이 크게 보이게 다시 찍어 주세요.",
        "No wall was found in the photo. Start over and use “Draw a box” or “Paint a mask” to mark the area, or take "
        "a photo where the wall fills more of the frame.",
    ),
    "fail_unsupported_image": ("사진을 읽을 수 없어요", "The photo could not be read"),
    "next_unsupported_image": (
        "JPEG, PNG, WebP 사진만 쓸 수 있어요. 손상되지 않은 다른 사진으로 새로 만들어 주세요.",
        "Only JPEG, PNG and WebP photos work. Start over with another, undamaged photo.",
    ),
    "fail_too_many_pixels": ("사진 해상도가 너무 커요", "The photo has too many pixels"),
    "next_too_many_pixels": (
        "4천만 화소 이하로 줄인 사진으로 새로 만들어 주세요.",
        "Start over with a photo of 40 megapixels or fewer.",
    ),
    "fail_image_too_large": ("사진 파일이 너무 커요", "The photo file is too large"),
    "next_image_too_large": ("25MB 이하의 사진으로 새로 만들어 주세요.", "Start over with a photo of 25 MB or less."),
    "fail_image_too_small": ("사진이 너무 작아요", "The photo is too small"),
    "next_image_too_small": ("더 큰 사진으로 새로 만들어 주세요.", "Start over with a larger photo."),
    "fail_daily_quota_exceeded": ("오늘 만들 수 있는 벽화를 다 썼어요", "Today's murals are used up"),
    "next_daily_quota_exceeded": (
        "하루에 만들 수 있는 벽화 수를 모두 사용했습니다. 내일 다시 시도해 주세요.",
        "You have used all of today's murals. Try again tomorrow.",
    ),
    "fail_too_many_active_tasks": ("진행 중인 작업이 너무 많아요", "Too many murals in progress"),
    "next_too_many_active_tasks": (
        "진행 중인 벽화가 끝난 뒤 다시 시도해 주세요. 내 벽화에서 상태를 볼 수 있어요.",
        "Try again when one of your murals in progress has finished; see them under My murals.",
    ),
    "fail_model_unavailable": ("그림 모델을 쓸 수 없어요", "The painting model is unavailable"),
    "next_model_unavailable": (
        "서버의 그림 모델이 잠시 준비되지 않았습니다. 몇 분 뒤 다시 그려 보세요.",
        "The server's painting model is not ready. Try painting again in a few minutes.",
    ),
    "fail_worker_lost": ("그리던 서버가 멈췄어요", "The painting server stopped"),
    "next_worker_lost": (
        "그림을 그리던 서버가 응답하지 않았습니다. 다시 그려 보세요.",
        "The server painting this mural stopped responding. Paint it again.",
    ),
    "fail_storage_error": ("파일을 저장하지 못했어요", "The files could not be stored"),
    "next_storage_error": (
        "파일 저장소 오류로 작업을 끝내지 못했습니다. 잠시 후 다시 그려 보세요.",
        "A storage error stopped the job. Paint it again shortly.",
    ),
    "fail_internal_error": ("서버 오류가 났어요", "Something went wrong on our side"),
    "next_internal_error": (
        "예상하지 못한 오류가 났습니다. 다시 그려 보고, 계속되면 나중에 시도해 주세요.",
        "An unexpected error happened. Paint it again, and if it persists, try later.",
    ),
    "fail_canceled": ("그리기를 취소했어요", "Painting canceled"),
    "next_canceled": (
        "이 벽화는 취소되었습니다. 같은 사진과 설정으로 다시 그리거나 새로 만들 수 있어요.",
        "This mural was canceled. Paint it again with the same photo and options, or start over.",
    ),
    "fail_translation_failed": ("소원을 번역하지 못했어요", "The wish could not be translated"),
    "next_translation_failed": (
        "소원을 영어로 적어서 새로 만들어 주세요.",
        "Start over and write the wish in English.",
    ),
    "fail_fast_mode_unavailable": ("빠른 모드를 쓸 수 없어요", "Fast mode is unavailable"),
    "fail_guide_unavailable": ("형태 안내를 쓸 수 없어요", "The shape guide is unavailable"),
    "next_guide_unavailable": (
        "고급 설정에서 형태 안내를 '없음'으로 바꿔 새로 만들어 주세요.",
        "Start over with the shape guide set to 'none' in the advanced options.",
    ),
    "next_fast_mode_unavailable": (
        "고급 설정에서 빠른 모드를 끄고 새로 만들어 주세요.",
        "Start over with fast mode turned off in the advanced options.",
    ),
    "murals_title": ("내 벽화", "My murals"),
    "murals_empty": ("아직 만든 벽화가 없어요.", "No murals yet."),
    "murals_filter": ("내 벽화 거르기", "Filter my murals"),
    "murals_filter_status": ("상태", "State"),
    "murals_filter_published": ("게시판", "Board"),
    "murals_filter_apply": ("보기", "Show"),
    "murals_all": ("모두", "All"),
    "murals_status_draft": ("제출 전 (임시 저장)", "Not submitted (drafts)"),
    "murals_status_active": ("기다리거나 그리는 중", "Waiting or painting"),
    "murals_status_succeeded": ("완성", "Done"),
    "murals_status_failed": ("실패하거나 취소됨", "Failed or canceled"),
    "murals_published_yes": ("게시판에 올린 것", "Shared on the board"),
    "murals_published_no": ("올리지 않은 것", "Not shared"),
    "murals_on_board": ("게시판에 올림", "On the board"),
    "murals_none_match": ("고른 조건에 맞는 벽화가 없어요.", "No murals match these filters."),
    "murals_show_all": ("모두 보기", "Show all"),
    "murals_resume": ("이어서 만들기", "Continue"),
    "murals_delete": ("지우기", "Delete"),
    "murals_delete_confirm": (
        "이 벽화를 지울까요? 사진과 결과가 모두 지워지고 되돌릴 수 없어요.",
        "Delete this mural? Its photo and results are removed for good.",
    ),
    "draft_resumed": ("저장해 둔 사진으로 이어서 만들어요.", "Continuing with the photo you saved."),
    "load_more": ("더 보기", "Show more"),
    # board (community)
    "task_not_succeeded": ("완성된 작업만 공유할 수 있어요.", "Only a finished (succeeded) task can be published."),
    "already_published": ("이 결과는 이미 공유되었어요.", "This result has already been published."),
    "task_files_expired": (
        "작업 파일이 만료되어 공유할 수 없어요.",
        "The task's files have expired, so it cannot be published.",
    ),
    "board_title": ("커뮤니티 벽화", "Community murals"),
    "board_lead": (
        "이웃들이 색담으로 그린 벽화의 전후 사진을 구경하고 응원해 주세요.",
        "Browse the before and after of murals painted with Saekdam, and cheer them on.",
    ),
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
    "board_comment_placeholder": (
        "따뜻한 댓글을 남겨 주세요 (최대 500자)",
        "Leave a kind comment (up to 500 characters)",
    ),
    "board_comment_submit": ("댓글 달기", "Post comment"),
    "board_login_to_comment": ("댓글을 달려면 로그인하세요.", "Log in to comment."),
    "board_no_comments": ("첫 댓글을 남겨 보세요.", "Be the first to comment."),
    "board_more_comments": ("댓글 더 보기", "More comments"),
    "board_hidden_notice": (
        "관리자가 숨긴 글이에요. 작성자와 관리자만 볼 수 있어요.",
        "Hidden by a moderator: only the author and admins can see it.",
    ),
    "board_deleted_notice": ("이 글은 삭제되었거나 숨겨졌어요.", "This post was deleted or hidden."),
    "board_new_title": ("벽화 공유하기", "Share a mural"),
    "board_pick_task": ("공유할 벽화를 고르세요.", "Pick a mural to share."),
    "board_no_tasks": ("공유할 수 있는 완성된 벽화가 아직 없어요.", "You have no finished murals to share yet."),
    "board_pick_result": ("공유할 그림", "Picture to share"),
    "board_result_n": ("그림 {n}", "Picture {n}"),
    "board_result_held": (
        "안전 검사로 보류됨: 관리자 검토 후 게시할 수 있어요",
        "Held by the safety check: it can be posted once an admin has reviewed it",
    ),
    "board_already_shared": ("이미 공유함", "Already shared"),
    "board_all_shared": ("이 작업의 결과는 모두 공유했어요.", "Every result of this task is already shared."),
    "board_field_title": ("제목", "Title"),
    "board_field_content": ("내용", "Text"),
    "board_title_hint": ("5–60자", "5–60 characters"),
    "board_content_hint": ("선택 · 최대 2000자", "Optional · up to 2000 characters"),
    "board_anonymous_label": ("익명으로 올리기", "Post anonymously"),
    "board_anonymous_hint": (
        "다른 사람에게 닉네임이 보이지 않아요. 수정과 삭제는 그대로 할 수 있어요.",
        "Others won't see your nickname. You can still edit and delete the post.",
    ),
    "board_publish": ("공유하기", "Publish"),
    "board_save": ("저장", "Save"),
    "board_cancel": ("취소", "Cancel"),
    "board_edit_title": ("글 수정", "Edit post"),
    "board_live": ("실시간으로 업데이트돼요", "Updates live"),
    "board_mine": ("내 글", "My post"),
    "board_back": ("목록으로", "Back to the board"),
    "board_og_description": (
        "색담으로 그린 AI 벽화의 전후를 확인해 보세요.",
        "See the before and after of an AI mural painted with Saekdam.",
    ),
    "board_task_not_ready": (
        "아직 완성되지 않은 작업이에요. 완성된 뒤에 공유할 수 있어요.",
        "This task has not finished yet; share it once it has.",
    ),
    "board_theme_name": ("테마: {name}", "Theme: {name}"),
    "board_edited": ("수정됨", "edited"),
    "board_wish": ("이렇게 소원을 적었어요", "The wish it was painted from"),
    "board_make_like": ("이런 벽화 만들기", "Make one like this"),
    "board_make_like_hint": (
        "같은 테마와 소원이 채워진 채로 만들기 화면이 열려요. 내 벽 사진만 올리면 돼요.",
        "Opens the create page with the same theme and wish: just add a photo of your wall.",
    ),
    "home_recent": ("이웃들이 최근에 그린 벽화", "Recent murals by neighbours"),
    "home_recent_more": ("커뮤니티에서 더 보기", "See more on the board"),
    # the installable web app (manifest, service worker's offline page)
    "offline_title": ("인터넷에 연결되어 있지 않아요.", "You are offline."),
    "offline_text": (
        "연결되면 다시 시도해 주세요. 그리던 벽화는 서버에서 계속 그려지고 있어요.",
        "Try again once you are connected; murals in progress keep painting on the server.",
    ),
    "offline_retry": ("다시 시도", "Try again"),
    # the painter's sheet (app/sheets)
    "sheet_title": ("도안 만들기", "Painter's sheet"),
    "sheet_intro": (
        "벽화를 실제 페인트 색(RAL)으로 줄이고, 영역마다 번호를 매긴 색칠 도안을 만들어요. 색마다 필요한 면적과 "
        "페인트 양(2회 칠)도 알려 드려요.",
        "Reduce the mural to real paint colours (RAL), with every region outlined and numbered, and see how much of "
        "each paint the wall needs (two coats).",
    ),
    "sheet_result": ("그림", "Picture"),
    "sheet_colors": ("색 개수", "Number of colours"),
    "sheet_colors_n": ("{n}색", "{n} colours"),
    "sheet_make": ("도안 만들기", "Make the sheet"),
    "sheet_busy": ("도안을 만드는 중…", "Making the sheet…"),
    "sheet_no_size": (
        "벽 크기를 입력하지 않은 작업이라 비율만 보여 드려요. 벽 크기(미터)를 넣어 다시 그리면 면적, 리터, 미터 "
        "격자가 함께 나와요.",
        "This task has no wall size, so the sheet gives shares only. Paint again with the wall size in metres for "
        "areas, litres and a metric grid.",
    ),
    "sheet_alt": ("{n}가지 페인트 색으로 번호를 매긴 색칠 도안", "Paint-by-numbers sheet in {n} paint colours"),
    "sheet_legend": ("범례 · {n}색 · {palette}", "Legend · {n} colours · {palette}"),
    "sheet_number": ("번호", "No."),
    "sheet_paint": ("페인트", "Paint"),
    "sheet_share": ("비율", "Share"),
    "sheet_area": ("면적", "Area"),
    "sheet_litres": ("양", "Paint"),
    "sheet_total": (
        "합계 · {coats}회 칠, 1리터당 회당 {coverage} m²",
        "Total · {coats} coats at {coverage} m² per litre a coat",
    ),
    "sheet_size": ("벽 크기 가로 {w} m × 세로 {h} m", "Wall {w} m wide × {h} m high"),
    "sheet_screen_note": (
        "화면의 색은 실제 페인트와 조금 달라요. 사기 전에 RAL 색상표로 확인하세요. PDF는 1:10 크기의 1 m 타일 "
        "페이지로 나뉘어 벽에 옮기기 쉬워요.",
        "Screen colours are approximate: check a RAL colour card before buying. The PDF splits large walls into 1 m "
        "tiles at 1:10 for transferring the design.",
    ),
    "sheet_fewer": (
        "{asked}색을 골랐지만 이 벽화는 {n}가지 페인트로 충분해요 (거의 같은 색은 하나로 합쳤어요).",
        "You asked for {asked} colours; this mural needs only {n} paints (near-identical ones are merged).",
    ),
    "sheet_download_png": ("PNG 내려받기", "Download PNG"),
    "sheet_download_pdf": ("인쇄용 PDF 내려받기", "Download printable PDF"),
    "sheet_back": ("작업으로 돌아가기", "Back to the task"),
    "sheet_colors_range": ("색 개수는 {low}–{high} 사이로 골라 주세요.", "Pick between {low} and {high} colours."),
    "sheet_no_such_result": ("이 작업의 결과는 {n}개예요.", "This task has {n} result(s)."),
    "sheet_task_not_succeeded": (
        "완성된 작업만 도안으로 만들 수 있어요.",
        "Only a finished (succeeded) task can be made into a sheet.",
    ),
    "sheet_source_missing": (
        "도안에 필요한 파일이 없어요 (보관 기간이 지났거나, 칠한 영역이 저장되기 전의 작업이에요).",
        "The files this sheet needs are gone (past retention, or the task is older than stored painted regions).",
    ),
    "sheet_unprocessable": (
        "이 결과로는 도안을 만들 수 없어요 (칠한 영역이 비어 있거나 너무 작아요).",
        "No sheet can be made from this result (its painted region is empty or too small).",
    ),
    "sheet_post_title": ("색칠 도안", "Painter's sheet"),
    "sheet_post_option": ("색칠 도안도 함께 보여 주기", "Show the painter's sheet with the post"),
    "sheet_post_option_hint": (
        "이웃이 같은 벽화를 직접 칠해 볼 수 있도록 페인트 색, 번호 도안, 필요한 양을 공개해요.",
        "Share the paint colours, the numbered sheet and the quantities so neighbours can paint it themselves.",
    ),
    "sheet_post_loading": ("도안을 불러오는 중…", "Loading the sheet…"),
    "sheet_post_gone": ("이 글의 도안은 더 이상 볼 수 없어요.", "This post's sheet is no longer available."),
}


def wait_text(lang: str, seconds: float) -> str:
    """A wait in words a person reads at a glance: "30초" / "약 4분" ("30 seconds" / "about 4 minutes")."""
    seconds = max(1, round(seconds))
    if seconds < 60:
        return f"{seconds}초" if lang != "en" else f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = max(1, round(seconds / 60))
    if lang == "en":
        return f"about {minutes} minute{'s' if minutes != 1 else ''}"
    return f"약 {minutes}분"


def translate(lang: str, key: str, **params: Any) -> str:
    """The message for ``key`` in ``lang`` (Korean when unknown), with ``{params}`` filled in; a
    ``retry_after`` in seconds also fills ``{wait}`` with it in words."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    if isinstance(params.get("retry_after"), (int, float)) and "wait" not in params:
        params["wait"] = wait_text(lang, params["retry_after"])
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError):
        return text


def pick_language(cookie: str | None, accept_language: str | None, default: Language = "ko") -> Language:
    """Cookie choice first, then the browser's preference, then the default."""
    if cookie in LANGUAGES:
        return cookie
    if accept_language:
        for part in accept_language.split(","):
            tag = part.split(";")[0].strip().lower()[:2]
            if tag in LANGUAGES:
                return tag
    return default
