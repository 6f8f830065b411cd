package telegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"strconv"
)

// documentBody turns a sendDocument or sendPhoto payload into the
// multipart/form-data body Telegram takes a file in, and returns it with its
// content type.
func documentBody(method string, params []byte, chat int64, paid bool) ([]byte, string, error) {
	var c documentCall
	if err := json.Unmarshal(params, &c); err != nil || c.Name == "" {
		return nil, "", fmt.Errorf("document payload not readable")
	}
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fields := [][2]string{{"chat_id", strconv.FormatInt(chat, 10)}, {"caption", c.Caption}, {"parse_mode", c.ParseMode}}
	if c.ReplyMarkup != nil {
		markup, _ := json.Marshal(c.ReplyMarkup)
		fields = append(fields, [2]string{"reply_markup", string(markup)})
	}
	if paid {
		fields = append(fields, [2]string{"allow_paid_broadcast", "true"})
	}
	for _, f := range fields {
		if f[1] != "" {
			_ = w.WriteField(f[0], f[1])
		}
	}
	field := "document"
	if method == "sendPhoto" {
		field = "photo"
	}
	part, err := w.CreateFormFile(field, c.Name)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(c.Data); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return b.Bytes(), w.FormDataContentType(), nil
}
