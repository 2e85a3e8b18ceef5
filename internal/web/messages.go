package web

import "xiaoer/internal/i18n"

func init() {
	i18n.Register(map[string]i18n.Text{
		"app.name":        i18n.T("店小二", "xiaoer"),
		"app.footer":      i18n.T("店小二 · 高新区营商环境服务平台 · 开源自托管", "xiaoer · enterprise service platform for high-tech zones · open source, self-hosted"),
		"app.demo":        i18n.T("演示模式", "Demo mode"),
		"app.demo.hint":   i18n.T("演示数据，账号密码均为 demo", "Demo data; every account's password is demo"),
		"app.lang.switch": i18n.T("English", "中文"),
		"app.logout":      i18n.T("退出", "Sign out"),
		"app.nav":         i18n.T("导航", "Navigation"),
		"app.home":        i18n.T("返回首页", "Home"),
		"app.next_page":   i18n.T("下一页", "Next page"),
		"app.export":      i18n.T("导出Excel", "Export to Excel"),
		"app.search":      i18n.T("搜索", "Search"),
		"app.filter":      i18n.T("筛选", "Filter"),
		"app.save":        i18n.T("保存", "Save"),
		"app.cancel":      i18n.T("取消", "Cancel"),
		"app.none":        i18n.T("暂无记录", "Nothing here yet"),
		"app.created":     i18n.T("创建时间", "Created"),
		"app.total":       i18n.T("共", "Total"),
		"app.detail":      i18n.T("详情", "Details"),
		"app.history":     i18n.T("办理过程", "History"),
		"app.actions":     i18n.T("操作", "Actions"),
		"app.note":        i18n.T("备注", "Note"),
		"app.submit":      i18n.T("提交", "Submit"),
		"app.print":       i18n.T("打印", "Print"),
		"app.back":        i18n.T("返回", "Back"),
		"app.all":         i18n.T("全部", "All"),
		"app.yes":         i18n.T("是", "Yes"),
		"app.no":          i18n.T("否", "No"),
	})
}
