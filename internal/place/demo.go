package place

import (
	"context"
	"fmt"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
)

// DemoPlaces are the demo zone's places: the article's 5 residential
// clusters, 4 park-level industrial service centres and 9 neighbourhood
// centres, and public facilities, around 大冶湖 (about 30.09° N, 114.97° E).
// Org names a street, community or park of the demo tree ("" for the zone).
var DemoPlaces = []struct {
	Name     string
	Kind     Kind
	Status   Status
	Lat, Lng float64
	Org      string
	Opened   string
	Desc     string
}{
	{"罗家桥居住组团", Residential, Open, 30.1052, 114.9551, "罗家桥街道", "2019-10-01", "老城区更新与安置小区"},
	{"金湖居住组团", Residential, Open, 30.0853, 114.9902, "金湖街道", "2020-06-30", "园区职工人才公寓与商品住宅"},
	{"城西北居住组团", Residential, Building, 30.1183, 114.9384, "城西北社区", "", "城西北产城融合一期"},
	{"攀宇居住组团", Residential, Building, 30.0682, 115.0121, "攀宇村", "", "攀宇产城融合一期"},
	{"大冶湖南岸居住组团", Residential, Planned, 30.0561, 114.9753, "金湖街道", "", "规划滨湖生活区"},

	{"智能制造产业园产业服务中心", ServiceCenter, Open, 30.0934, 115.0283, "大冶湖高新区智能制造产业园", "2021-05-18", "政务服务、人才、金融、检验检测一站式服务"},
	{"生物医药产业园产业服务中心", ServiceCenter, Open, 30.0781, 115.0452, "大冶湖高新区生物医药产业园", "2022-03-28", "公共实验平台与企业服务"},
	{"新能源新材料产业园产业服务中心", ServiceCenter, Building, 30.1004, 115.0523, "大冶湖高新区新能源新材料产业园", "", ""},
	{"电子信息产业园产业服务中心", ServiceCenter, Planned, 30.1121, 115.0184, "大冶湖高新区电子信息产业园", "", ""},

	{"罗家桥邻里中心", Neighbourhood, Open, 30.1031, 114.9602, "罗家桥社区", "2020-09-10", "社区服务、菜市场、托育"},
	{"长乐邻里中心", Neighbourhood, Open, 30.1097, 114.9688, "长乐社区", "2021-01-15", ""},
	{"攀宇邻里中心", Neighbourhood, Building, 30.0713, 115.0065, "攀宇村", "", "产城融合一期配套"},
	{"城西北邻里中心", Neighbourhood, Building, 30.1152, 114.9447, "城西北社区", "", ""},
	{"金湖邻里中心", Neighbourhood, Open, 30.0874, 114.9831, "金湖社区", "2021-12-20", "生产型邻里中心：职工食堂、技能培训"},
	{"团垴邻里中心", Neighbourhood, Planned, 30.0795, 114.9987, "团垴村", "", "团垴城乡一体化配套"},
	{"石洪甫邻里中心", Neighbourhood, Planned, 30.0742, 114.9869, "石洪甫村", "", "石洪甫城乡一体化配套"},
	{"雨润邻里中心", Neighbourhood, Open, 30.0902, 114.9755, "雨润社区", "2022-08-08", ""},
	{"东岳邻里中心", Neighbourhood, Open, 30.0968, 114.9503, "东岳社区", "2019-12-26", ""},

	{"大冶湖高新区实验学校", School, Open, 30.0921, 114.9872, "金湖街道", "2021-09-01", "九年一贯制"},
	{"罗家桥中学", School, Open, 30.1068, 114.9521, "罗家桥街道", "2018-09-01", ""},
	{"金湖小学（新校区）", School, Building, 30.0838, 114.9924, "金湖社区", "", ""},
	{"大冶市人民医院高新区院区", Hospital, Building, 30.0957, 114.9995, "金湖街道", "", ""},
	{"金湖社区卫生服务中心", Hospital, Open, 30.0862, 114.9848, "金湖社区", "2020-04-20", ""},
	{"大冶湖高新区文化中心", Culture, Planned, 30.0889, 115.0047, "", "", "图书馆、科技馆、剧场"},
	{"罗家桥文体活动中心", Culture, Open, 30.1044, 114.9577, "罗家桥社区", "2023-09-28", ""},
	{"大冶湖体育公园", Sports, Open, 30.0815, 114.9792, "金湖街道", "2022-10-01", "环湖绿道与运动场"},
	{"高新区全民健身中心", Sports, Building, 30.0946, 115.0108, "", "", ""},
	{"高新区公交首末站", Transport, Open, 30.0903, 114.9941, "金湖街道", "2021-06-28", ""},
	{"大冶湖综合客运站", Transport, Planned, 30.0987, 115.0031, "", "", ""},
	{"园区货运物流中心", Transport, Building, 30.0853, 115.0386, "大冶湖高新区智能制造产业园", "", ""},
}

type demoLoader struct{ svc *Service }

func (l *demoLoader) load(ctx context.Context, z *platform.Zone) error {
	sys := access.SystemPrincipal("demo")
	orgOf := func(name string) int64 {
		for _, m := range []map[string]int64{z.Streets, z.Communities, z.Parks} {
			if id, ok := m[name]; ok {
				return id
			}
		}
		return z.ID
	}
	ids := map[string]int64{}
	err := l.svc.DB.Write(ctx, func(tx *store.Tx) error {
		for _, p := range DemoPlaces {
			in := Input{Name: p.Name, Kind: p.Kind, Status: p.Status, Lat: p.Lat, Lng: p.Lng, OrgID: orgOf(p.Org), Description: p.Desc}
			if p.Opened != "" {
				in.OpenedOn = civil.MustParse(p.Opened)
			}
			id, err := l.svc.CreateTx(ctx, tx, sys, in)
			if err != nil {
				return fmt.Errorf("place %s: %w", p.Name, err)
			}
			ids[p.Name] = id
		}
		return nil
	})
	// Later modules (an integration project's page, say) find places by name.
	z.Extra["places"] = ids
	return err
}
