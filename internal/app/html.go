package app

import "strings"

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escHTML(s string) string { return escaper.Replace(s) }
