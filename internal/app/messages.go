package app

import "xiaoer/internal/i18n"

func init() {
	i18n.Register(map[string]i18n.Text{
		"home.hello":     i18n.T("您好", "Hello"),
		"home.shortcuts": i18n.T("常用功能", "Shortcuts"),
	})
}
