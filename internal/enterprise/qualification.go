package enterprise

import "xiaoer/internal/i18n"

// QualificationKind is a recognised status of an enterprise.
type QualificationKind string

// Qualification kinds.
const (
	HighTech       QualificationKind = "high_tech"       // 高新技术企业
	TechSME        QualificationKind = "tech_sme"        // 科技型中小企业
	SpecializedSME QualificationKind = "specialized_sme" // 专精特新中小企业
	InnovativeSME  QualificationKind = "innovative_sme"  // 创新型中小企业
)

// QualificationKinds lists every kind.
var QualificationKinds = []QualificationKind{HighTech, TechSME, SpecializedSME, InnovativeSME}

// Valid reports whether k is a known kind.
func (k QualificationKind) Valid() bool {
	for _, x := range QualificationKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Label is the kind's name.
func (k QualificationKind) Label() i18n.Text {
	switch k {
	case HighTech:
		return i18n.T("高新技术企业", "High-tech enterprise")
	case TechSME:
		return i18n.T("科技型中小企业", "Tech-based SME")
	case SpecializedSME:
		return i18n.T("专精特新中小企业", "Specialised and innovative SME")
	case InnovativeSME:
		return i18n.T("创新型中小企业", "Innovative SME")
	}
	return i18n.T(string(k), string(k))
}
