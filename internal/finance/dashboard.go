package finance

import (
	"context"
	"fmt"
	"net/url"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/i18n"
	"xiaoer/internal/platform"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// rankings is the banks' table: amount lent, then how fast and how often
// they answer.
func (s *Service) rankings(ctx context.Context, q store.Querier, p *access.Principal, from, to civil.Date, lang i18n.Lang) ([]platform.Ranking, error) {
	banks, err := s.Banks(ctx, p, from, to)
	if err != nil {
		return nil, err
	}
	r := platform.Ranking{Title: i18n.T("银行对接融资排名", "Banks by financing").In(lang), Columns: []string{
		i18n.T("银行", "Bank").In(lang), i18n.T("接单率", "Take rate").In(lang), i18n.T("平均响应（工作日）", "Avg response (workdays)").In(lang),
		i18n.T("放款笔数", "Loans").In(lang), i18n.T("放款金额", "Lent").In(lang)}}
	for _, b := range banks {
		avg := "—"
		if b.AvgResponseWorkdays != nil {
			avg = fmt.Sprintf("%.1f", *b.AvgResponseWorkdays)
		}
		take := "—"
		if b.TakeRate != nil {
			take = fmt.Sprintf("%.1f%%", *b.TakeRate*100)
		}
		r.Rows = append(r.Rows, platform.RankRow{Name: b.BankName, Values: []string{take, avg, fmt.Sprint(b.Loans), fmtMoney(lang, b.LoansFen)},
			Href: fmt.Sprintf("/finance/needs?bank_org_id=%d", b.BankOrgID)})
	}
	return []platform.Ranking{r}, nil
}

// warnings are the needs waiting for a bank past their response limit.
func (s *Service) warnings(ctx context.Context, p *access.Principal, lang i18n.Lang) ([]platform.Card, error) {
	today := civil.Of(s.DB.Now())
	st, err := rollup.Upto(ctx, s.DB.Read(), rollup.ScopeOf(p), today, mOverdue)
	if err != nil {
		return nil, err
	}
	return []platform.Card{{Label: i18n.T("超时未响应的融资需求", "Financing needs past the response limit").In(lang),
		Value: fmt.Sprint(st[mOverdue]), Tone: "red", Href: "/finance/needs?status=posted"}}, nil
}

// Drill links the count of needs posted in a period to their list.
func Drill(key string, from, to civil.Date) string {
	if key == "finance.needs" || key == "finance.needs_fen" {
		return "/finance/needs?" + url.Values{"from": {from.String()}, "to": {to.String()}}.Encode()
	}
	return ""
}
