package enterprise

import (
	"strings"

	"xiaoer/internal/errs"
)

// Industry is one division (大类) of GB/T 4754-2017, with its section (门类).
type Industry struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Section string `json:"section"`
}

// sections of GB/T 4754-2017 by their first and last division.
var sections = []struct {
	letter, name string
	first, last  int
}{
	{"A", "农、林、牧、渔业", 1, 5}, {"B", "采矿业", 6, 12}, {"C", "制造业", 13, 43},
	{"D", "电力、热力、燃气及水生产和供应业", 44, 46}, {"E", "建筑业", 47, 50}, {"F", "批发和零售业", 51, 52},
	{"G", "交通运输、仓储和邮政业", 53, 60}, {"H", "住宿和餐饮业", 61, 62},
	{"I", "信息传输、软件和信息技术服务业", 63, 65}, {"J", "金融业", 66, 69}, {"K", "房地产业", 70, 70},
	{"L", "租赁和商务服务业", 71, 72}, {"M", "科学研究和技术服务业", 73, 75},
	{"N", "水利、环境和公共设施管理业", 76, 79}, {"O", "居民服务、修理和其他服务业", 80, 82},
	{"P", "教育", 83, 83}, {"Q", "卫生和社会工作", 84, 85}, {"R", "文化、体育和娱乐业", 86, 90},
	{"S", "公共管理、社会保障和社会组织", 91, 96}, {"T", "国际组织", 97, 97},
}

// divisions are the 97 divisions (大类) of GB/T 4754-2017.
var divisions = []string{
	"", "农业", "林业", "畜牧业", "渔业", "农、林、牧、渔专业及辅助性活动",
	"煤炭开采和洗选业", "石油和天然气开采业", "黑色金属矿采选业", "有色金属矿采选业", "非金属矿采选业", "开采专业及辅助性活动", "其他采矿业",
	"农副食品加工业", "食品制造业", "酒、饮料和精制茶制造业", "烟草制品业", "纺织业", "纺织服装、服饰业",
	"皮革、毛皮、羽毛及其制品和制鞋业", "木材加工和木、竹、藤、棕、草制品业", "家具制造业", "造纸和纸制品业",
	"印刷和记录媒介复制业", "文教、工美、体育和娱乐用品制造业", "石油、煤炭及其他燃料加工业", "化学原料和化学制品制造业",
	"医药制造业", "化学纤维制造业", "橡胶和塑料制品业", "非金属矿物制品业", "黑色金属冶炼和压延加工业",
	"有色金属冶炼和压延加工业", "金属制品业", "通用设备制造业", "专用设备制造业", "汽车制造业",
	"铁路、船舶、航空航天和其他运输设备制造业", "电气机械和器材制造业", "计算机、通信和其他电子设备制造业",
	"仪器仪表制造业", "其他制造业", "废弃资源综合利用业", "金属制品、机械和设备修理业",
	"电力、热力生产和供应业", "燃气生产和供应业", "水的生产和供应业",
	"房屋建筑业", "土木工程建筑业", "建筑安装业", "建筑装饰、装修和其他建筑业",
	"批发业", "零售业",
	"铁路运输业", "道路运输业", "水上运输业", "航空运输业", "管道运输业", "多式联运和运输代理业", "装卸搬运和仓储业", "邮政业",
	"住宿业", "餐饮业",
	"电信、广播电视和卫星传输服务", "互联网和相关服务", "软件和信息技术服务业",
	"货币金融服务", "资本市场服务", "保险业", "其他金融业",
	"房地产业",
	"租赁业", "商务服务业",
	"研究和试验发展", "专业技术服务业", "科技推广和应用服务业",
	"水利管理业", "生态保护和环境治理业", "公共设施管理业", "土地管理业",
	"居民服务业", "机动车、电子产品和日用产品修理业", "其他服务业",
	"教育",
	"卫生", "社会工作",
	"新闻和出版业", "广播、电视、电影和录音制作业", "文化艺术业", "体育", "娱乐业",
	"中国共产党机关", "国家机构", "人民政协、民主党派", "社会保障", "群众团体、社会团体和其他成员组织", "基层群众自治组织及其他组织",
	"国际组织",
}

// Industries lists every division in code order.
func Industries() []Industry {
	out := make([]Industry, 0, 97)
	for i := 1; i < len(divisions); i++ {
		code := twoDigits(i)
		out = append(out, Industry{Code: code, Name: divisions[i], Section: sectionOf(i)})
	}
	return out
}

func twoDigits(i int) string { return string([]byte{byte('0' + i/10), byte('0' + i%10)}) }

func sectionOf(div int) string {
	for _, s := range sections {
		if div >= s.first && div <= s.last {
			return s.letter
		}
	}
	return ""
}

// IndustryName returns the Chinese name of an industry code — a division
// (2 digits) or a finer group or class within it (3 or 4 digits), optionally
// written with its section letter ("C3841") — by its division.
func IndustryName(code string) string {
	div, ok := divisionOf(code)
	if !ok {
		return ""
	}
	return divisions[div]
}

func divisionOf(code string) (int, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) > 0 && code[0] >= 'A' && code[0] <= 'T' {
		code = code[1:]
	}
	if len(code) < 2 || len(code) > 4 {
		return 0, false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	div := int(code[0]-'0')*10 + int(code[1]-'0')
	return div, div >= 1 && div <= 97
}

// NormalizeIndustry returns the code as digits (without the section letter)
// or an error naming the field.
func NormalizeIndustry(code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		return "", nil
	}
	div, ok := divisionOf(code)
	if !ok {
		return "", errs.Invalidf("industry_code", "行业代码「%s」不是有效的国民经济行业分类（GB/T 4754）代码", "%s is not an industry code of GB/T 4754", code)
	}
	if code[0] >= 'A' && code[0] <= 'T' {
		if code[:1] != sectionOf(div) {
			return "", errs.Invalidf("industry_code", "行业代码「%s」的门类字母与大类不符", "The section letter of %s does not match its division", code)
		}
		code = code[1:]
	}
	return code, nil
}
