// Package telegramtest is a fake Telegram Bot API server for tests.
//
// It listens on 127.0.0.1 only and behaves like api.telegram.org closely
// enough that a request Telegram would reject is rejected here too, with
// Telegram's HTTP status, JSON envelope and wording. The HTML, MarkdownV2 and
// Markdown parsers are ports of tdlib's, so the text a test observes
// (Sent.Text) is the text a user would see, and a parse error reads as
// Telegram's does.
//
// A test simulates residents writing to the bot (SendText, SendGroupText,
// PressButton, PushUpdate), lets the bot under test fetch the updates through
// getUpdates or a webhook, and inspects what the bot did (Sent, WaitSent,
// Calls, Rejected, Commands, AnswerTo). Failures can be injected (FailNext,
// Block, WithRateLimits).
//
//	srv := telegramtest.New("123456:TEST")
//	defer srv.Close()
//	b, _ := bot.New(srv.Token, bot.WithServerURL(srv.URL), bot.WithSkipGetMe())
//	srv.SendText(telegramtest.User{ID: 42, FirstName: "Ann"}, "/start")
//	// ... run the bot, then:
//	sent, err := srv.WaitSent(ctx, 1)
//
// # Modelled as Telegram does it
//
//   - /bot<token>/<method> with case-insensitive method names; 401
//     "Unauthorized" for another token, 404 "Not Found" for an unknown method;
//     parameters from the query string, multipart/form-data,
//     x-www-form-urlencoded or a JSON body; {"ok":...} answers whose HTTP
//     status equals error_code, with parameters.retry_after on 429.
//   - Chats exist only once an update showed them: "chat not found", and
//     "bot can't initiate conversation with a user" for a user seen only in a
//     group.
//   - getUpdates: an offset confirms and forgets older updates, a negative
//     offset keeps the last -offset updates, an offset more than 10 past the
//     queue is ignored, limit (1-100) and timeout (0-50) are clamped, a long
//     poll ends as soon as an update arrives, allowed_updates is remembered and
//     filters when an update is created (earlier updates still arrive), a newer
//     long poll ends an older one with 409, and getUpdates is refused with 409
//     while a webhook is set.
//   - setWebhook, deleteWebhook and getWebhookInfo, with the "Webhook was set"
//     descriptions, setWebhook's one-call-per-second limit, an empty url
//     meaning "delete", secret_token checks, and delivery with
//     X-Telegram-Bot-Api-Secret-Token: updates of one chat in order, at most
//     max_connections at once, an update leaving the queue only on a 2xx
//     answer and retried otherwise.
//   - Texts are parsed, then trimmed of spaces and newlines, then counted in
//     UTF-16 code units (4096 for messages, 1024 for captions). Entities are
//     fixed like tdlib does: touching formatting merged, none inside code.
//   - Inline and reply keyboards with the Bot API's parse errors and the
//     server's BUTTON_DATA_INVALID, BUTTON_URL_INVALID and
//     BUTTON_COPY_TEXT_INVALID. When a button names several actions, the one
//     Telegram uses wins (copy_text first, then url, callback_data, ...).
//   - Edits: "message to edit not found", "message can't be edited" (not the
//     bot's, or sent with a reply keyboard), "message is not modified", an edit
//     without reply_markup removing the inline keyboard.
//   - Callback queries: answerable once, text up to 200 characters
//     (MESSAGE_TOO_LONG otherwise, the query staying open).
//   - Flood limits (WithRateLimits): a rolling one-second global limit, a
//     gap between sends to one private chat, a rolling minute per group, and
//     429 with retry_after beyond them. Sends with allow_paid_broadcast=true
//     (paid broadcasts) have their own global limit of 1000 per second beside
//     the normal one, still under the per-chat and group limits, and are
//     marked Sent.PaidBroadcast.
//   - sendMessage, sendContact, sendDocument and sendPhoto (by file_id, or
//     uploaded: a PNG, JPEG, GIF or WebP of at most 10 MB) answer with the new Message,
//     its message_id counting up per chat.
//
// # Left out on purpose
//
//   - Telegram's anti-spam delays: a repeated getUpdates with the same offset
//     is not stretched to 3 seconds, and conflicting getUpdates answers are
//     not delayed by 3 seconds.
//   - Webhook verification when it is set, https-only URLs and the allowed
//     ports: tests use http://127.0.0.1.
//   - Methods other than those registered in server.go answer 404 Not Found.
//   - Automatic url/email/hashtag entities in messages the bot sends, inline
//     messages, media other than documents, callback query expiry, and
//     answers carried in the webhook response body.
package telegramtest
