package app_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// A staff member opens /staff, taps QR-Code and an encounter, and gets the
// QR code of its deep link as a picture uploaded to Telegram, the link in
// its caption; a resident who forwards the same button gets the refusal.
// The staff commands are in the staff member's own menu only.
func TestStaffQRCode(t *testing.T) {
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "marl_bot"))
	defer api.Close()
	staffer := telegramtest.User{ID: 5000, FirstName: "Team", LanguageCode: "de"}
	resident := telegramtest.User{ID: 5001, FirstName: "Olena", LanguageCode: "uk"}
	h := startWithOptions(t, api, "", "", app.Options{Limits: fastLimits}, func(c *config.Config) { c.AdminIDs = []int64{5000} })
	api.SendText(staffer, "/start")
	h.waitSent(5000, 1)
	api.SendText(staffer, "/staff")
	menu := h.waitSent(5000, 2)[1]
	mustContain(t, texts([]telegramtest.Sent{menu}), "Team-Menü", "📅 Begegnungen|ed:list]", "➕ Neue Begegnung|ed:new]")
	pressStaff(t, api, staffer, menu.MessageID, "sf:qr")
	list := h.waitSent(5000, 3)[2]
	mustContain(t, list.Text, "Für welche Begegnung?")
	pressStaff(t, api, staffer, list.MessageID, "sf:qr:sample-cafe")
	photo := h.waitSent(5000, 4)[3]
	if photo.Method != "sendPhoto" || photo.Document == nil || photo.Document.FileName != "sample-cafe.png" {
		t.Fatalf("want an uploaded photo, got %s %+v", photo.Method, photo.Document)
	}
	img, err := png.Decode(bytes.NewReader(photo.Document.Data))
	if err != nil || img.Bounds().Dx() < 300 {
		t.Fatalf("not a printable PNG: %v", err)
	}
	mustContain(t, photo.Text, "https://t.me/marl_bot?start=e_sample-cafe")

	if r := api.Rejected(); len(r) > 0 {
		t.Errorf("Telegram would have rejected: %v", r)
	}

	// the same signed button, replayed by a resident: refused, no picture
	var signed string
	for _, row := range list.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, "sf:qr:sample-cafe~") {
				signed = b.CallbackData
			}
		}
	}
	api.SendText(resident, "/start")
	h.waitSent(5001, 1)
	api.PushUpdate(map[string]any{"callback_query": map[string]any{"id": "replayed", "chat_instance": "1", "data": signed,
		"from":    map[string]any{"id": 5001, "is_bot": false, "first_name": "Olena", "language_code": "uk"},
		"message": map[string]any{"message_id": 1, "date": time.Now().Unix(), "chat": map[string]any{"id": 5001, "type": "private"}}}})
	api.SendText(resident, "/stats")
	got := h.waitSent(5001, 3)[1:]
	for _, m := range got {
		if m.Method != "sendMessage" || !strings.Contains(m.Text, "Це можуть робити лише працівники агенції") {
			t.Errorf("a resident's staff button or command: %s %q", m.Method, m.Text)
		}
	}
	waitFor(t, "the staff member's command menu", func() bool {
		cmds := api.CommandsInScope("chat:5000", "")
		return len(cmds) > 0 && cmds[len(cmds)-1].Command == "stats"
	})
	if cmds := api.CommandsInScope("chat:5000", "uk"); len(cmds) == 0 || cmds[len(cmds)-1].Description != "Цифри (команда)" {
		t.Errorf("the staff member's Ukrainian menu: %+v", cmds)
	}
	for _, c := range api.Commands("") {
		if c.Command == "stats" || c.Command == "staff" {
			t.Errorf("a staff command in everyone's menu: %+v", c)
		}
	}
}
