"""Believable member-registry data (organisations, contacts) for demos and screenshots."""

import datetime
import hashlib
from collections import defaultdict
from typing import NamedTuple

from django.db import models, transaction
from django.utils import timezone, translation

from portal.prefectures import PREFECTURES

from . import fiscal
from .models import (
    FiscalYearSettings,
    Membership,
    MembershipClass,
    MembershipYear,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    RegionalBlock,
)
from .validators import corporate_number_check_digit

DEMO_MEMBER_ORGANISATION = "公益財団法人石川県産業創出支援機構"
DEMO_MEMBER_PERSON_EMAIL = "mayumi.fujiwara@isico.example.jp"

BLOCKS = [
    ("北海道", "Hokkaido"),
    ("東北", "Tohoku"),
    ("関東", "Kanto"),
    ("中部", "Chubu"),
    ("北陸", "Hokuriku"),
    ("近畿", "Kinki"),
    ("中国", "Chugoku"),
    ("四国", "Shikoku"),
    ("九州", "Kyushu"),
    ("沖縄", "Okinawa"),
]

# Prefecture (JIS code) -> block, following the METI regional bureaus with 北陸 and 沖縄 apart.
BLOCK_OF_PREFECTURE = {
    1: "北海道",
    **dict.fromkeys(range(2, 8), "東北"),
    **dict.fromkeys([8, 9, 10, 11, 12, 13, 14, 15, 19, 20], "関東"),
    **dict.fromkeys([21, 22, 23, 24], "中部"),
    **dict.fromkeys([16, 17, 18], "北陸"),
    **dict.fromkeys(range(25, 31), "近畿"),
    **dict.fromkeys(range(31, 36), "中国"),
    **dict.fromkeys(range(36, 40), "四国"),
    **dict.fromkeys(range(40, 47), "九州"),
    47: "沖縄",
}

KINDS = [
    ("産業支援機関", "industry-support agency"),
    ("大学", "university"),
    ("高専", "college of technology"),
    ("公設試", "public research institute"),
    ("国立研究開発法人", "national R&D agency"),
    ("金融機関", "financial institution"),
    ("TLO", "TLO"),
    ("商工団体", "chamber/union"),
    ("クラスター・協議会", "cluster/council"),
    ("自治体", "local government"),
    ("企業", "company"),
    ("その他", "other"),
]

_Dues = MembershipClass.DuesRule
_Votes = MembershipClass.VotesRule
CLASSES = [
    {
        "code": "full",
        "name": "正会員",
        "name_en": "Full member",
        "dues_rule": _Dues.PER_UNIT,
        "unit_price": 50000,
        "minimum_units": 2,
        "flat_amount": None,
        "votes_rule": _Votes.PER_UNIT,
        "is_invoiced": True,
    },
    {
        "code": "academic",
        "name": "学術機関会員",
        "name_en": "Academic member",
        "dues_rule": _Dues.FLAT,
        "unit_price": None,
        "minimum_units": None,
        "flat_amount": 15000,
        "votes_rule": _Votes.NONE,
        "is_invoiced": True,
    },
    {
        "code": "observer",
        "name": "オブザーバー会員",
        "name_en": "Observer member",
        "dues_rule": _Dues.NONE,
        "unit_price": None,
        "minimum_units": None,
        "flat_amount": None,
        "votes_rule": _Votes.NONE,
        "is_invoiced": False,
    },
    {
        "code": "steering",
        "name": "幹事",
        "name_en": "Steering agency",
        "dues_rule": _Dues.NONE,
        "unit_price": None,
        "minimum_units": None,
        "flat_amount": None,
        "votes_rule": _Votes.NONE,
        "is_invoiced": False,
    },
]


class _Org(NamedTuple):
    domain: str  # www.<domain>.example.jp; contacts' mail is <name>@<domain>.example.jp
    membership: str  # MembershipClass.code
    kind: str  # OrganisationKind.name
    prefecture: int
    joined_on: str
    name: str
    name_kana: str
    short_name: str
    name_en: str
    postal_code: str
    address: str
    phone: str
    description: str


# Bodies without a corporate number of their own: voluntary councils and internal
# institutes of a prefecture.
NO_CORPORATE_NUMBER = frozenset(
    {
        "九州地域バイオクラスター推進協議会",
        "北関東ものづくりクラスター協議会",
        "宮城県産業技術総合センター",
        "長野県工業技術総合センター",
        "和歌山県産業技術総合センター",
        "島根県ものづくり技術センター",
    }
)

# fmt: off
ORGANISATIONS = [
    # 北海道
    _Org("noastec", "full", "産業支援機関", 1, "2009-04-01",
        "公益財団法人ノーステック財団",
        "コウエキザイダンホウジンノーステックザイダン",
        "ノーステック財団", "NOASTEC Foundation",
        "0600807", "北海道札幌市北区北7条西4丁目1番地2 KDX札幌ビル4階", "011-708-6520",
        "北海道の産学官連携の中核として、研究開発助成から事業化、スタートアップ創出まで"
        "一貫して支援しています。"),
    _Org("hokuyobank", "full", "金融機関", 1, "2011-04-01",
        "株式会社北洋銀行",
        "カブシキガイシャホクヨウギンコウ",
        "北洋銀行", "The North Pacific Bank, Ltd.",
        "0608661", "北海道札幌市中央区大通西3丁目7番地", "011-261-1311",
        "道内最大の店舗網を生かし、ものづくり・食関連企業の事業承継や販路開拓を"
        "地域金融の立場から支援しています。"),
    _Org("asahikawa-ic", "full", "産業支援機関", 1, "2015-04-01",
        "公益財団法人旭川地域産業創造センター",
        "コウエキザイダンホウジンアサヒカワチイキサンギョウソウゾウセンター",
        "旭川産業創造センター", "Asahikawa Regional Industry Creation Center",
        "0700031", "北海道旭川市1条通8丁目108番地 旭川産業会館5階", "0166-23-4410",
        "家具・木工や食品加工など道北の地場産業を対象に、デザイン開発と試作の伴走支援を"
        "行っています。"),
    _Org("sapporo-rikou", "academic", "大学", 1, "2014-04-01",
        "学校法人札幌理工学園 札幌理工大学",
        "ガッコウホウジンサッポロリコウガクエンサッポロリコウダイガク",
        "札幌理工大学", "Sapporo University of Science and Technology",
        "0068585", "北海道札幌市手稲区前田7条15丁目4番1号", "011-688-2241",
        "寒冷地工学と情報科学を柱に、道内企業との共同研究や社会人向けリカレント教育に"
        "取り組んでいます。"),
    # 東北
    _Org("21aomori", "full", "産業支援機関", 2, "2009-04-01",
        "公益財団法人２１あおもり産業総合支援センター",
        "コウエキザイダンホウジンニジュウイチアオモリサンギョウソウゴウシエンセンター",
        "２１あおもり産業総合支援センター", "21 Aomori Industrial Support Center",
        "0300801", "青森県青森市新町2丁目4番1号 青森県共同ビル7階", "017-777-4061",
        "青森県の中小企業の創業・経営革新から取引拡大までを総合的に支援する"
        "ワンストップ窓口です。"),
    _Org("iwatebank", "full", "金融機関", 3, "2012-04-01",
        "株式会社岩手銀行",
        "カブシキガイシャイワテギンコウ",
        "岩手銀行", "The Bank of Iwate, Ltd.",
        "0208688", "岩手県盛岡市中央通1丁目2番3号", "019-623-1111",
        "県内企業の成長支援と産学金連携に力を入れ、ものづくり企業の研究開発資金や"
        "事業化を後押ししています。"),
    _Org("akita-isco", "full", "産業支援機関", 5, "2010-04-01",
        "公益財団法人秋田県産業創造支援機構",
        "コウエキザイダンホウジンアキタケンサンギョウソウゾウシエンキコウ",
        "秋田県産業創造支援機構", "Akita Industrial Creation Support Organization",
        "0100951", "秋田県秋田市山王3丁目1番7号 山王ビル6階", "018-860-5601",
        "輸送機・医療機器分野への参入支援と、県内企業の設備投資・技術開発の相談に"
        "応じています。"),
    _Org("bandai-shinkin", "full", "金融機関", 7, "2018-04-01",
        "磐梯中央信用金庫",
        "バンダイチュウオウシンヨウキンコ",
        "磐梯中央信金", "Bandai Chuo Shinkin Bank",
        "9650871", "福島県会津若松市栄町3番12号", "0242-27-3141",
        "会津地域の中小企業に密着し、創業支援融資や事業承継、ビジネスマッチング商談会の"
        "開催に取り組んでいます。"),
    _Org("hirosaki-u", "academic", "大学", 2, "2009-04-01",
        "国立大学法人弘前大学",
        "コクリツダイガクホウジンヒロサキダイガク",
        "弘前大学", "Hirosaki University",
        "0368560", "青森県弘前市文京町1番地", "0172-36-2111",
        "りんごをはじめとする農産物の高付加価値化や被ばく医療など、地域に根ざした研究の"
        "産業化を進めています。"),
    _Org("tohoku-u", "academic", "大学", 4, "2009-04-01",
        "国立大学法人東北大学",
        "コクリツダイガクホウジントウホクダイガク",
        "東北大学", "Tohoku University",
        "9808577", "宮城県仙台市青葉区片平2丁目1番1号", "022-717-7000",
        "材料科学・半導体・次世代放射光などの世界的な研究拠点を擁し、大学発ベンチャーの"
        "創出にも積極的です。"),
    _Org("shonai-kosen", "academic", "高専", 6, "2016-04-01",
        "独立行政法人国立高等専門学校機構 庄内工業高等専門学校",
        "ドクリツギョウセイホウジンコクリツコウトウセンモンガッコウキコウ"
        "ショウナイコウギョウコウトウセンモンガッコウ",
        "庄内高専", "National Institute of Technology, Shonai College",
        "9978511", "山形県鶴岡市井岡字沼田104番地", "0235-25-9011",
        "地域共同テクノセンターを窓口に、庄内地域の食品・機械企業との共同研究や"
        "技術相談を受け付けています。"),
    _Org("aomori-itc", "observer", "公設試", 2, "2011-04-01",
        "地方独立行政法人青森県産業技術センター",
        "チホウドクリツギョウセイホウジンアオモリケンサンギョウギジュツセンター",
        "青森県産業技術センター", "Aomori Prefectural Industrial Technology Research Center",
        "0360522", "青森県黒石市田中82番地9", "0172-52-4311",
        "工業・農林・水産・食品加工の研究部門を一つの法人に統合し、県内産業の技術課題に"
        "総合的に対応しています。"),
    _Org("miyagi-iti", "observer", "公設試", 4, "2013-04-01",
        "宮城県産業技術総合センター",
        "ミヤギケンサンギョウギジュツソウゴウセンター",
        "宮城県産業技術総合センター", "Industrial Technology Institute, Miyagi Prefecture",
        "9813206", "宮城県仙台市泉区明通2丁目2番地", "022-377-8700",
        "自動車・高度電子機械分野を中心に、試験分析・製品開発支援と技術者研修を"
        "提供しています。"),
    # 関東
    _Org("tama", "full", "クラスター・協議会", 13, "2009-04-01",
        "一般社団法人首都圏産業活性化協会",
        "イッパンシャダンホウジンシュトケンサンギョウカッセイカキョウカイ",
        "TAMA協会", "Technology Advanced Metropolitan Area Association",
        "1920083", "東京都八王子市旭町9番1号 八王子スクエアビル11階", "042-631-1140",
        "多摩地域を中心とする広域産業クラスターとして、製品開発・販路開拓・産学連携の"
        "ネットワークを提供しています。"),
    _Org("kawasaki-ipf", "full", "産業支援機関", 14, "2010-04-01",
        "公益財団法人川崎市産業振興財団",
        "コウエキザイダンホウジンカワサキシサンギョウシンコウザイダン",
        "川崎市産業振興財団", "Kawasaki City Industrial Promotion Foundation",
        "2120013", "神奈川県川崎市幸区堀川町66番地20 川崎市産業振興会館", "044-548-4111",
        "大企業の開放特許を中小企業の製品開発につなぐ知的財産交流など、"
        "企業間の技術連携を先導しています。"),
    _Org("nagano-techno", "full", "産業支援機関", 20, "2009-04-01",
        "公益財団法人長野県テクノ財団",
        "コウエキザイダンホウジンナガノケンテクノザイダン",
        "長野県テクノ財団", "Nagano Techno Foundation",
        "3800928", "長野県長野市若里1丁目18番1号 長野県工業技術総合センター3階",
        "026-226-8101",
        "県内の地域センターを拠点に、精密・電子・医療機器分野の産学官共同研究と"
        "人材育成を推進しています。"),
    _Org("niigata-nic", "full", "産業支援機関", 15, "2012-04-01",
        "公益財団法人にいがた新産業創出機構",
        "コウエキザイダンホウジンニイガタシンサンギョウソウシュツキコウ",
        "にいがた新産業創出機構", "Niigata New Industry Creation Organization",
        "9500078", "新潟県新潟市中央区万代島5番1号 万代島ビル9階", "025-246-0031",
        "燕三条の金属加工をはじめとする県内ものづくり企業の新分野進出と海外展開を"
        "支援しています。"),
    _Org("kitakanto-cluster", "full", "クラスター・協議会", 10, "2017-04-01",
        "北関東ものづくりクラスター協議会",
        "キタカントウモノヅクリクラスターキョウギカイ",
        "北関東クラスター協議会", "North Kanto Monozukuri Cluster Council",
        "3710024", "群馬県前橋市表町2丁目30番8号", "027-210-6611",
        "群馬・栃木・茨城の自動車・航空宇宙関連企業が参加し、共同受注と技術者交流の場を"
        "運営しています。"),
    _Org("mito-shinkin", "full", "金融機関", 8, "2019-04-01",
        "水戸中央信用金庫",
        "ミトチュウオウシンヨウキンコ",
        "水戸中央信金", "Mito Chuo Shinkin Bank",
        "3100021", "茨城県水戸市南町3丁目4番10号", "029-231-5311",
        "茨城県央地域の中小企業を対象に、産学金連携による技術評価融資と創業セミナーを"
        "展開しています。"),
    _Org("sagami-seimitsu", "full", "企業", 14, "2021-04-01",
        "株式会社さがみ精密技研",
        "カブシキガイシャサガミセイミツギケン",
        "さがみ精密技研", "Sagami Precision Engineering Co., Ltd.",
        "2520131", "神奈川県相模原市緑区西橋本5丁目3番18号", "042-770-3321",
        "精密切削と微細加工を強みとする研究開発型企業で、地域の大学・公設試との"
        "共同開発実績を重ねています。"),
    _Org("niigata-uit", "academic", "大学", 15, "2018-04-01",
        "公立大学法人新潟産業技術大学",
        "コウリツダイガクホウジンニイガタサンギョウギジュツダイガク",
        "新潟産業技術大学", "Niigata University of Industrial Technology",
        "9401106", "新潟県長岡市宮内町2丁目10番1号", "0258-32-6111",
        "機械・電気・情報の実学教育と、県内ものづくり企業との共同研究・"
        "技術者リカレント講座に力を入れています。"),
    _Org("tokyo-iri", "observer", "公設試", 13, "2009-04-01",
        "地方独立行政法人東京都立産業技術研究センター",
        "チホウドクリツギョウセイホウジントウキョウトリツサンギョウギジュツケンキュウセンター",
        "都産技研", "Tokyo Metropolitan Industrial Technology Research Institute",
        "1350064", "東京都江東区青海2丁目4番10号", "03-5530-2111",
        "都内中小企業の製品開発を試験・研究・技術相談で支え、IoT・ロボット・デザインの"
        "支援拠点を運営しています。"),
    _Org("nagano-gitc", "observer", "公設試", 20, "2014-04-01",
        "長野県工業技術総合センター",
        "ナガノケンコウギョウギジュツソウゴウセンター",
        "長野県工業技術総合センター", "Nagano Prefecture General Industrial Technology Center",
        "3800928", "長野県長野市若里1丁目18番1号", "026-226-2811",
        "材料・精密・電子・食品の各部門で、県内企業の依頼試験と技術指導、共同研究を"
        "行っています。"),
    _Org("jst", "steering", "国立研究開発法人", 11, "2009-04-01",
        "国立研究開発法人科学技術振興機構",
        "コクリツケンキュウカイハツホウジンカガクギジュツシンコウキコウ",
        "JST", "Japan Science and Technology Agency",
        "3320012", "埼玉県川口市本町4丁目1番8号 川口センタービル", "048-226-5601",
        "大学等の研究成果の社会実装を目指し、産学共同研究や地域の産学官共創拠点の形成を"
        "支援しています。"),
    _Org("aist", "steering", "国立研究開発法人", 13, "2009-04-01",
        "国立研究開発法人産業技術総合研究所",
        "コクリツケンキュウカイハツホウジンサンギョウギジュツソウゴウケンキュウジョ",
        "産総研", "National Institute of Advanced Industrial Science and Technology",
        "1008921", "東京都千代田区霞が関1丁目3番1号", "03-5501-0900",
        "全国の研究拠点と連携し、公設試との共同研究や技術移転を通じて地域の産業技術力の"
        "向上に貢献しています。"),
    _Org("jetro", "steering", "産業支援機関", 13, "2009-04-01",
        "独立行政法人日本貿易振興機構",
        "ドクリツギョウセイホウジンニホンボウエキシンコウキコウ",
        "ジェトロ", "Japan External Trade Organization",
        "1076006", "東京都港区赤坂1丁目12番32号 アーク森ビル", "03-3582-5511",
        "国内外の拠点網を生かし、地域の中堅・中小企業の海外展開と対日投資の誘致を"
        "支援しています。"),
    _Org("smrj", "steering", "産業支援機関", 13, "2009-04-01",
        "独立行政法人中小企業基盤整備機構",
        "ドクリツギョウセイホウジンチュウショウキギョウキバンセイビキコウ",
        "中小機構",
        "Organization for Small & Medium Enterprises and Regional Innovation, JAPAN",
        "1058453", "東京都港区虎ノ門3丁目5番1号 虎ノ門37森ビル", "03-3433-8811",
        "全国の地域本部を通じて、中小企業の経営相談、インキュベーション施設の運営、"
        "支援機関の人材育成を行っています。"),
    _Org("naro", "steering", "国立研究開発法人", 8, "2009-04-01",
        "国立研究開発法人農業・食品産業技術総合研究機構",
        "コクリツケンキュウカイハツホウジン"
        "ノウギョウショクヒンサンギョウギジュツソウゴウケンキュウキコウ",
        "農研機構", "National Agriculture and Food Research Organization",
        "3058517", "茨城県つくば市観音台3丁目1番地1", "029-838-8998",
        "農業・食品分野の研究成果を地域の生産者や食品企業へ橋渡しし、スマート農業の"
        "社会実装を進めています。"),
    _Org("jilc", "steering", "その他", 13, "2009-04-01",
        "一般財団法人日本立地センター",
        "イッパンザイダンホウジンニホンリッチセンター",
        "日本立地センター", "Japan Industrial Location Center",
        "1010054", "東京都千代田区神田錦町1丁目6番地", "03-3518-8961",
        "産業立地と地域振興の調査研究を行い、イノベーションネットの事務局として"
        "会員間の交流と情報発信を担っています。"),
    # 中部
    _Org("aichi-ngi", "full", "産業支援機関", 23, "2013-04-01",
        "公益財団法人あいち次世代産業推進財団",
        "コウエキザイダンホウジンアイチジセダイサンギョウスイシンザイダン",
        "あいち次世代産業推進財団", "Aichi Next-Generation Industry Promotion Foundation",
        "4500002", "愛知県名古屋市中村区名駅4丁目4番38号 愛知県産業労働センター14階",
        "052-715-3061",
        "自動車の電動化・デジタル化に対応する中小サプライヤーの業態転換と、"
        "航空宇宙分野への参入を支援しています。"),
    _Org("hamamatsu-nif", "full", "産業支援機関", 22, "2010-04-01",
        "公益財団法人浜松地域新産業振興財団",
        "コウエキザイダンホウジンハママツチイキシンサンギョウシンコウザイダン",
        "浜松新産業振興財団", "Hamamatsu Regional New Industry Foundation",
        "4328036", "静岡県浜松市中央区東伊場2丁目7番1号", "053-489-8111",
        "光・電子技術を核とした産学官連携と、輸送機器関連企業の次世代技術への転換を"
        "後押ししています。"),
    _Org("gifu-ico", "full", "産業支援機関", 21, "2014-04-01",
        "公益財団法人ぎふ産業創造機構",
        "コウエキザイダンホウジンギフサンギョウソウゾウキコウ",
        "ぎふ産業創造機構", "Gifu Industrial Creation Organization",
        "5008384", "岐阜県岐阜市薮田南5丁目14番53号", "058-277-1091",
        "刃物・陶磁器・木工など地場産業のブランド化と、航空機・医療機器分野の"
        "サプライチェーン参入を支援しています。"),
    _Org("mie-nicf", "full", "産業支援機関", 24, "2016-04-01",
        "公益財団法人みえ新産業創造財団",
        "コウエキザイダンホウジンミエシンサンギョウソウゾウザイダン",
        "みえ新産業創造財団", "Mie New Industry Creation Foundation",
        "5140004", "三重県津市栄町1丁目891番地 三重県合同ビル5階", "059-228-3321",
        "食と健康、エネルギー関連産業の集積を生かし、県内企業の新商品開発から"
        "販路開拓まで伴走支援しています。"),
    _Org("nagoya-u", "academic", "大学", 23, "2009-04-01",
        "国立大学法人東海国立大学機構 名古屋大学",
        "コクリツダイガクホウジントウカイコクリツダイガクキコウナゴヤダイガク",
        "名古屋大学", "Nagoya University",
        "4648601", "愛知県名古屋市千種区不老町1番地", "052-789-5111",
        "自動車・航空宇宙・材料分野の研究力を生かし、東海地域の企業との大型共同研究と"
        "スタートアップ創出を進めています。"),
    _Org("shizuoka-tlo", "academic", "TLO", 22, "2019-04-01",
        "株式会社しずおかティー・エル・オー",
        "カブシキガイシャシズオカティーエルオー",
        "しずおかTLO", "Shizuoka TLO Co., Ltd.",
        "4228067", "静岡県静岡市駿河区南町14番25号", "054-280-6221",
        "県内大学の特許・研究成果を企業に橋渡しし、ライセンス契約と共同研究の組成を"
        "支援しています。"),
    # 北陸
    _Org("isico", "full", "産業支援機関", 17, "2009-04-01",
        "公益財団法人石川県産業創出支援機構",
        "コウエキザイダンホウジンイシカワケンサンギョウソウシュツシエンキコウ",
        "ISICO", "Ishikawa Sunrise Industries Creation Organization",
        "9208203", "石川県金沢市鞍月2丁目20番地 石川県地場産業振興センター新館",
        "076-267-1001",
        "繊維・機械・食品など石川の基幹産業の新事業展開を、研究開発支援から販路開拓、"
        "取引あっせんまで一貫して支援しています。"),
    _Org("toyama-ico", "full", "産業支援機関", 16, "2011-04-01",
        "公益財団法人とやま産業創造機構",
        "コウエキザイダンホウジントヤマサンギョウソウゾウキコウ",
        "とやま産業創造機構", "Toyama Industrial Creation Organization",
        "9300866", "富山県富山市高田529番地 富山県産業会館3階", "076-444-5601",
        "医薬品・アルミ加工など富山の強みを生かした産学官共同研究と、中小企業の"
        "海外取引拡大を支援しています。"),
    _Org("fukui-nico", "full", "産業支援機関", 18, "2015-04-01",
        "公益財団法人福井県新産業創造機構",
        "コウエキザイダンホウジンフクイケンシンサンギョウソウゾウキコウ",
        "福井県新産業創造機構", "Fukui New Industry Creation Organization",
        "9100005", "福井県福井市大手3丁目7番1号 福井県繊協ビル4階", "0776-67-7401",
        "眼鏡・繊維・化学の産地企業による異分野連携を進め、新素材と医療・ヘルスケア"
        "分野への展開を支援しています。"),
    _Org("noto-shinkin", "full", "金融機関", 17, "2022-04-01",
        "能登中央信用金庫",
        "ノトチュウオウシンヨウキンコ",
        "能登中央信金", "Noto Chuo Shinkin Bank",
        "9260806", "石川県七尾市府中町220番地", "0767-52-3111",
        "能登地域の事業者の事業再建と地域産業の再生を、資金と情報の両面から"
        "支えています。"),
    _Org("hokuriku-it", "academic", "大学", 17, "2012-04-01",
        "学校法人加賀学園 北陸工業大学",
        "ガッコウホウジンカガガクエンホクリクコウギョウダイガク",
        "北陸工業大学", "Hokuriku Institute of Technology",
        "9240841", "石川県白山市倉光8丁目16番1号", "076-274-7000",
        "炭素繊維複合材料や機械工学の研究を強みに、北陸の繊維・機械企業との"
        "実用化研究を数多く手がけています。"),
    # 近畿
    _Org("astem", "full", "産業支援機関", 26, "2009-04-01",
        "公益財団法人京都高度技術研究所",
        "コウエキザイダンホウジンキョウトコウドギジュツケンキュウジョ",
        "ASTEM", "Advanced Scientific Technology & Management Research Institute of KYOTO",
        "6008813", "京都府京都市下京区中堂寺南町134番地", "075-315-3625",
        "ライフサイエンス・情報分野の研究開発と、京都発ベンチャーの成長支援を"
        "行っています。"),
    _Org("hyogo-iac", "full", "産業支援機関", 28, "2009-04-01",
        "公益財団法人ひょうご産業活性化センター",
        "コウエキザイダンホウジンヒョウゴサンギョウカッセイカセンター",
        "ひょうご産業活性化センター", "Hyogo Industrial Advancement Center",
        "6500044", "兵庫県神戸市中央区東川崎町1丁目8番4号 神戸市産業振興センター",
        "078-977-9070",
        "中小企業の技術・経営力を評価する制度を先駆けて導入し、その仕組みは"
        "他県にも広がっています。"),
    _Org("osaka-cci", "full", "商工団体", 27, "2010-04-01",
        "大阪商工会議所",
        "オオサカショウコウカイギショ",
        "大阪商工会議所", "The Osaka Chamber of Commerce and Industry",
        "5400029", "大阪府大阪市中央区本町橋2番8号", "06-6944-6400",
        "会員企業の新事業創出とオープンイノベーションを支援し、ライフサイエンスや"
        "次世代モビリティの企業連携を推進しています。"),
    _Org("shiga-ico", "full", "産業支援機関", 25, "2013-04-01",
        "公益財団法人しが産業創造機構",
        "コウエキザイダンホウジンシガサンギョウソウゾウキコウ",
        "しが産業創造機構", "Shiga Industrial Creation Organization",
        "5200047", "滋賀県大津市浜大津1丁目2番22号", "077-511-1411",
        "水・環境技術や医工連携分野に取り組む県内中小企業の製品化を、"
        "研究会と試作助成で支援しています。"),
    _Org("yamato-it", "academic", "大学", 29, "2020-04-01",
        "学校法人大和学園 大和工科大学",
        "ガッコウホウジンヤマトガクエンヤマトコウカダイガク",
        "大和工科大学", "Yamato Institute of Technology",
        "6340063", "奈良県橿原市久米町650番地", "0744-22-5211",
        "ロボティクスと食品科学の研究室が県内企業との共同研究を進め、"
        "地域企業での長期インターンシップも盛んです。"),
    _Org("wakayama-itc", "observer", "公設試", 30, "2015-04-01",
        "和歌山県産業技術総合センター",
        "ワカヤマケンサンギョウギジュツソウゴウセンター",
        "和歌山県産業技術総合センター", "Wakayama Prefectural Industrial Technology Center",
        "6496261", "和歌山県和歌山市小倉62番地", "073-477-1271",
        "化学・繊維・食品・漆器など県内地場産業の技術支援と依頼試験を担っています。"),
    # 中国
    _Org("crirc", "full", "産業支援機関", 34, "2009-04-01",
        "公益財団法人中国地域創造研究センター",
        "コウエキザイダンホウジンチュウゴクチイキソウゾウケンキュウセンター",
        "中国地域創造研究センター", "Chugoku Regional Innovation Research Center",
        "7300041", "広島県広島市中区小町4番33号 中電ビル2号館", "082-241-9927",
        "中国地域5県を対象に、産学官連携による研究開発プロジェクトの形成と"
        "地域産業の調査研究を行っています。"),
    _Org("kibi-ico", "full", "産業支援機関", 33, "2011-04-01",
        "公益財団法人吉備産業創造機構",
        "コウエキザイダンホウジンキビサンギョウソウゾウキコウ",
        "吉備産業創造機構", "Kibi Industrial Creation Organization",
        "7011221", "岡山県岡山市北区芳賀5311番地", "086-286-9611",
        "医療・福祉機器や次世代自動車分野の研究会を運営し、県内ものづくり企業の"
        "新分野参入を支援しています。"),
    _Org("hiroshima-u", "academic", "大学", 34, "2009-04-01",
        "国立大学法人広島大学",
        "コクリツダイガクホウジンヒロシマダイガク",
        "広島大学", "Hiroshima University",
        "7398511", "広島県東広島市鏡山1丁目3番2号", "082-422-7111",
        "自動車・ものづくり分野の共同研究講座や医工連携を推進し、中国地域の"
        "イノベーション拠点となっています。"),
    _Org("shimane-mtc", "observer", "公設試", 32, "2017-04-01",
        "島根県ものづくり技術センター",
        "シマネケンモノヅクリギジュツセンター",
        "島根県ものづくり技術センター", "Shimane Monozukuri Technology Center",
        "6900816", "島根県松江市北陵町3番地", "0852-60-5141",
        "特殊鋼・情報産業・食品の県内企業に向け、試作評価と技術相談、共同研究を"
        "提供しています。"),
    # 四国
    _Org("sanuki-ico", "full", "産業支援機関", 37, "2012-04-01",
        "公益財団法人さぬき産業創造機構",
        "コウエキザイダンホウジンサヌキサンギョウソウゾウキコウ",
        "さぬき産業創造機構", "Sanuki Industrial Creation Organization",
        "7610301", "香川県高松市林町2217番地20", "087-840-0331",
        "希少糖や造船関連などの地域資源を生かした研究開発プロジェクトと、"
        "四国の産学官連携の橋渡しを担っています。"),
    _Org("kochi-shinkin", "full", "金融機関", 39, "2016-04-01",
        "高知中央信用金庫",
        "コウチチュウオウシンヨウキンコ",
        "高知中央信金", "Kochi Chuo Shinkin Bank",
        "7800870", "高知県高知市本町3丁目2番5号", "088-822-4151",
        "一次産業と食品加工の事業者に密着し、地元大学と連携した商品開発や"
        "販路開拓の支援に取り組んでいます。"),
    _Org("setouchi-kosen", "academic", "高専", 37, "2021-04-01",
        "独立行政法人国立高等専門学校機構 瀬戸内工業高等専門学校",
        "ドクリツギョウセイホウジンコクリツコウトウセンモンガッコウキコウ"
        "セトウチコウギョウコウトウセンモンガッコウ",
        "瀬戸内高専", "National Institute of Technology, Setouchi College",
        "7620024", "香川県坂出市府中町100番地", "0877-48-2211",
        "電子・情報・機械の実践的な技術教育を基盤に、四国の中小企業との共同研究と"
        "技術相談を行っています。"),
    _Org("tokushima-pref", "observer", "自治体", 36, "2019-04-01",
        "徳島県",
        "トクシマケン",
        "徳島県", "Tokushima Prefecture",
        "7708570", "徳島県徳島市万代町1丁目1番地", "088-621-2500",
        "LED関連産業の集積と光応用技術の振興を掲げ、県内企業の研究開発と"
        "企業誘致を推進しています。"),
    # 九州
    _Org("miyazaki-ipo", "full", "産業支援機関", 45, "2010-04-01",
        "公益財団法人宮崎県産業振興機構",
        "コウエキザイダンホウジンミヤザキケンサンギョウシンコウキコウ",
        "宮崎県産業振興機構", "Miyazaki Industrial Promotion Organization",
        "8800303", "宮崎県宮崎市佐土原町東上那珂16500番地2", "0985-74-3850",
        "フードビジネスと医療機器関連産業の振興を軸に、県内中小企業の経営革新と"
        "新事業展開を支援しています。"),
    _Org("kyushu-bio", "full", "クラスター・協議会", 40, "2011-04-01",
        "九州地域バイオクラスター推進協議会",
        "キュウシュウチイキバイオクラスタースイシンキョウギカイ",
        "九州バイオクラスター協議会", "Kyushu Bio-Cluster Promotion Council",
        "8120013", "福岡県福岡市博多区博多駅東2丁目13番34号", "092-482-5431",
        "九州のバイオ・食品・健康関連の企業と研究機関をつなぎ、機能性食品などの"
        "共同開発と販路開拓を進めています。"),
    _Org("higo-ico", "full", "産業支援機関", 43, "2014-04-01",
        "公益財団法人肥後産業創造機構",
        "コウエキザイダンホウジンヒゴサンギョウソウゾウキコウ",
        "肥後産業創造機構", "Higo Industrial Creation Organization",
        "8612202", "熊本県上益城郡益城町田原2081番地28", "096-289-2431",
        "半導体関連産業の集積を背景に、地場企業のサプライチェーン参入と"
        "技術人材の育成を支援しています。"),
    _Org("kyushu-u", "academic", "大学", 40, "2009-04-01",
        "国立大学法人九州大学",
        "コクリツダイガクホウジンキュウシュウダイガク",
        "九州大学", "Kyushu University",
        "8190395", "福岡県福岡市西区元岡744番地", "092-802-2111",
        "水素エネルギーや有機光エレクトロニクスなどの先端研究を基盤に、"
        "九州の産業界との組織的な共同研究を推進しています。"),
    _Org("saga-itri", "observer", "公設試", 41, "2012-04-01",
        "地方独立行政法人佐賀県産業技術総合研究所",
        "チホウドクリツギョウセイホウジンサガケンサンギョウギジュツソウゴウケンキュウジョ",
        "佐賀県産業技術総合研究所", "Saga Industrial Technology Research Institute",
        "8490932", "佐賀県佐賀市鍋島町八戸溝116番地", "0952-30-8161",
        "窯業・食品・機械電子の研究部門を持ち、有田焼など地場産業の技術革新と"
        "ものづくり企業の品質向上を支援しています。"),
    # 沖縄
    _Org("ryukyu-ico", "full", "産業支援機関", 47, "2013-04-01",
        "公益財団法人琉球産業創造機構",
        "コウエキザイダンホウジンリュウキュウサンギョウソウゾウキコウ",
        "琉球産業創造機構", "Ryukyu Industrial Creation Organization",
        "9010152", "沖縄県那覇市字小禄1831番地5", "098-859-6231",
        "健康・バイオ、情報通信、観光関連の県内企業の創業と成長を支援し、"
        "アジア市場への展開を後押ししています。"),
    _Org("okinawa-iit", "academic", "大学", 47, "2015-04-01",
        "学校法人琉球学園 沖縄国際工科大学",
        "ガッコウホウジンリュウキュウガクエンオキナワコクサイコウカダイガク",
        "沖縄国際工科大学", "Okinawa International Institute of Technology",
        "9012102", "沖縄県浦添市前田1丁目1番1号", "098-877-2111",
        "亜熱帯の生物資源と観光ITをテーマに、県内企業との共同研究とアジアとの"
        "技術交流に取り組んでいます。"),
]

# (kanji, katakana, romaji)
FAMILY_NAMES = [
    ("佐藤", "サトウ", "sato"), ("鈴木", "スズキ", "suzuki"), ("高橋", "タカハシ", "takahashi"),
    ("田中", "タナカ", "tanaka"), ("伊藤", "イトウ", "ito"), ("渡辺", "ワタナベ", "watanabe"),
    ("山本", "ヤマモト", "yamamoto"), ("中村", "ナカムラ", "nakamura"),
    ("小林", "コバヤシ", "kobayashi"), ("加藤", "カトウ", "kato"), ("吉田", "ヨシダ", "yoshida"),
    ("山田", "ヤマダ", "yamada"), ("佐々木", "ササキ", "sasaki"),
    ("山口", "ヤマグチ", "yamaguchi"),
    ("松本", "マツモト", "matsumoto"), ("井上", "イノウエ", "inoue"), ("木村", "キムラ", "kimura"),
    ("林", "ハヤシ", "hayashi"), ("斎藤", "サイトウ", "saito"), ("清水", "シミズ", "shimizu"),
    ("山崎", "ヤマザキ", "yamazaki"), ("森", "モリ", "mori"), ("池田", "イケダ", "ikeda"),
    ("橋本", "ハシモト", "hashimoto"), ("阿部", "アベ", "abe"), ("石川", "イシカワ", "ishikawa"),
    ("前田", "マエダ", "maeda"), ("藤田", "フジタ", "fujita"), ("小川", "オガワ", "ogawa"),
    ("岡田", "オカダ", "okada"), ("後藤", "ゴトウ", "goto"), ("長谷川", "ハセガワ", "hasegawa"),
    ("村上", "ムラカミ", "murakami"), ("近藤", "コンドウ", "kondo"), ("石井", "イシイ", "ishii"),
    ("坂本", "サカモト", "sakamoto"), ("遠藤", "エンドウ", "endo"), ("青木", "アオキ", "aoki"),
    ("藤井", "フジイ", "fujii"), ("西村", "ニシムラ", "nishimura"), ("福田", "フクダ", "fukuda"),
    ("太田", "オオタ", "ota"), ("三浦", "ミウラ", "miura"), ("藤原", "フジワラ", "fujiwara"),
    ("岡本", "オカモト", "okamoto"), ("松田", "マツダ", "matsuda"),
    ("中川", "ナカガワ", "nakagawa"), ("中野", "ナカノ", "nakano"), ("原田", "ハラダ", "harada"),
    ("小野", "オノ", "ono"), ("田村", "タムラ", "tamura"), ("竹内", "タケウチ", "takeuchi"),
    ("金子", "カネコ", "kaneko"), ("和田", "ワダ", "wada"), ("中山", "ナカヤマ", "nakayama"),
    ("石田", "イシダ", "ishida"), ("上田", "ウエダ", "ueda"), ("森田", "モリタ", "morita"),
    ("柴田", "シバタ", "shibata"), ("酒井", "サカイ", "sakai"), ("工藤", "クドウ", "kudo"),
    ("横山", "ヨコヤマ", "yokoyama"), ("宮崎", "ミヤザキ", "miyazaki"),
    ("宮本", "ミヤモト", "miyamoto"), ("内田", "ウチダ", "uchida"), ("高木", "タカギ", "takagi"),
    ("安藤", "アンドウ", "ando"), ("谷口", "タニグチ", "taniguchi"),
]
GIVEN_NAMES = [
    ("健一", "ケンイチ", "kenichi"), ("大輔", "ダイスケ", "daisuke"), ("直樹", "ナオキ", "naoki"),
    ("陽子", "ヨウコ", "yoko"), ("美穂", "ミホ", "miho"), ("拓也", "タクヤ", "takuya"),
    ("浩二", "コウジ", "koji"), ("恵", "メグミ", "megumi"), ("翔太", "ショウタ", "shota"),
    ("裕子", "ユウコ", "yuko"), ("誠", "マコト", "makoto"), ("真由美", "マユミ", "mayumi"),
    ("隆", "タカシ", "takashi"), ("智子", "トモコ", "tomoko"), ("和也", "カズヤ", "kazuya"),
    ("彩", "アヤ", "aya"), ("亮", "リョウ", "ryo"), ("典子", "ノリコ", "noriko"),
    ("修", "オサム", "osamu"), ("由紀", "ユキ", "yuki"), ("淳", "ジュン", "jun"),
    ("麻衣", "マイ", "mai"), ("聡", "サトシ", "satoshi"), ("奈々", "ナナ", "nana"),
    ("健太", "ケンタ", "kenta"), ("香織", "カオリ", "kaori"), ("俊介", "シュンスケ", "shunsuke"),
    ("佳奈", "カナ", "kana"), ("博之", "ヒロユキ", "hiroyuki"), ("千尋", "チヒロ", "chihiro"),
    ("雅人", "マサト", "masato"), ("理恵", "リエ", "rie"), ("哲也", "テツヤ", "tetsuya"),
    ("明美", "アケミ", "akemi"), ("悠", "ユウ", "yu"),
]

# Kind of organisation -> (department, title) of its first and second contact.
ROLES = {
    "産業支援機関": [("企画総務部", "企画課長"), ("連携推進部 産学官連携課", "コーディネーター")],
    "大学": [("産学連携推進本部", "准教授"), ("研究推進部 産学連携課", "課長補佐")],
    "高専": [("地域共同テクノセンター", "センター長"), ("総務課 研究推進係", "係長")],
    "公設試": [("企画連携部", "研究企画課長"), ("企画連携部 技術支援課", "主任研究員")],
    "国立研究開発法人": [("産学官連携推進部", "調査役"), ("産学官連携推進部 地域連携室", "主査")],
    "金融機関": [("法人営業部 地域創生推進室", "室長"), ("法人営業部", "調査役")],
    "TLO": [("技術移転部", "部長"), ("技術移転部", "アソシエイト")],
    "商工団体": [("産業振興部", "部長"), ("産業振興部 イノベーション推進担当", "主任")],
    "クラスター・協議会": [("事務局", "事務局長"), ("事務局", "プロジェクトマネージャー")],
    "自治体": [("商工労働部 産業振興課", "課長"), ("商工労働部 産業振興課", "主任")],
    "企業": [("経営企画室", "室長"), ("技術開発部", "課長")],
    "その他": [("地域振興部", "部長"), ("イノベーションネット事務局", "主任研究員")],
}
# fmt: on


def corporate_number_for(name: str) -> str:
    """A fictitious but valid corporate number, derived from the name so it never changes."""
    base = str(int(hashlib.sha256(name.encode()).hexdigest(), 16) % 10**12).zfill(12)
    return f"{corporate_number_check_digit(base)}{base}"


def contacts_for(index: int, org: _Org) -> list[dict]:
    """One or two contacts of the organisation at position index of ORGANISATIONS.

    The first contact (the main one, with the first role) also comes first in kana order,
    as contact lists are sorted.
    """
    serials = [index * 2 + k for k in range(1 if index % 4 == 2 else 2)]
    names = sorted(
        (
            (
                FAMILY_NAMES[serial * 37 % len(FAMILY_NAMES)],
                GIVEN_NAMES[serial * 11 % len(GIVEN_NAMES)],
            )
            for serial in serials
        ),
        key=lambda name: (name[0][1], name[1][1]),  # (family kana, given kana)
    )
    head, tail = org.phone.rsplit("-", 1)
    people = []
    for k, (family_name, given_name) in enumerate(names):
        family, family_kana, family_romaji = family_name
        given, given_kana, given_romaji = given_name
        department, title = ROLES[org.kind][k]
        people.append(
            {
                "email": f"{given_romaji}.{family_romaji}@{org.domain}.example.jp",
                "family_name": family,
                "given_name": given,
                "family_name_kana": family_kana,
                "given_name_kana": given_kana,
                "department": department,
                "title": title,
                "phone": f"{head}-{(int(tail) + 11 * (k + 1)) % 10000:04d}",
            }
        )
    return people


def _upsert(queryset: models.QuerySet, key: str, rows: list[dict]) -> dict:
    """Create or update one object per row, matched on the field key; return them by key."""
    model = queryset.model
    fk_names = [f.name for f in model._meta.concrete_fields if f.is_relation]
    matching = queryset.filter(**{f"{key}__in": [row[key] for row in rows]})
    existing = {getattr(obj, key): obj for obj in matching}
    to_create, to_update, changed_fields = [], [], set()
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            obj = model(**row)
            to_create.append(obj)
        else:
            changed = {field for field, value in row.items() if getattr(obj, field) != value}
            if not changed:
                continue
            for field in changed:
                setattr(obj, field, row[field])
            to_update.append(obj)
            changed_fields |= changed
        obj.full_clean(exclude=fk_names, validate_unique=False, validate_constraints=False)
    model.objects.bulk_create(to_create)
    if to_update:
        model.objects.bulk_update(
            to_update, [model._meta.get_field(f).name for f in sorted(changed_fields)]
        )
    return {getattr(obj, key): obj for obj in matching.all()}


@transaction.atomic
def seed() -> None:
    """Create or refresh the demo registry; running it again changes nothing.

    Matches on natural keys (block, kind and organisation names, class codes, contact
    emails) and puts demo values back where they were edited; links from contacts to
    logins and any other data are left alone.
    """
    blocks = _upsert(
        RegionalBlock.objects.all(),
        "name",
        [{"name": n, "name_en": en, "order": i} for i, (n, en) in enumerate(BLOCKS, 1)],
    )
    kinds = _upsert(
        OrganisationKind.objects.all(),
        "name",
        [{"name": n, "name_en": en, "order": i} for i, (n, en) in enumerate(KINDS, 1)],
    )
    classes = _upsert(
        MembershipClass.objects.all(),
        "code",
        [{**values, "order": i} for i, values in enumerate(CLASSES, 1)],
    )

    organisations = _upsert(
        Organisation.objects.all(),
        "name",
        [
            {
                "name": org.name,
                "name_kana": org.name_kana,
                "short_name": org.short_name,
                "name_en": org.name_en,
                "kind_id": kinds[org.kind].pk,
                "corporate_number": (
                    "" if org.name in NO_CORPORATE_NUMBER else corporate_number_for(org.name)
                ),
                "postal_code": org.postal_code,
                "prefecture": org.prefecture,
                "address": _without_prefecture(org.address, org.prefecture),
                "phone": org.phone,
                "website": f"https://www.{org.domain}.example.jp/",
                "block_id": blocks[BLOCK_OF_PREFECTURE[org.prefecture]].pk,
                "description": org.description,
            }
            for org in ORGANISATIONS
        ],
    )
    # bulk writes skip Organisation.save(), which keeps the search text and sort key.
    for organisation in organisations.values():
        organisation.derive_fields()
    Organisation.objects.bulk_update(organisations.values(), Organisation.DERIVED_FIELDS)
    _upsert(
        Membership.objects.current(),
        "organisation_id",
        [
            {
                "organisation_id": organisations[org.name].pk,
                "membership_class_id": classes[org.membership].pk,
                "joined_on": datetime.date.fromisoformat(org.joined_on),
                "status": Membership.Status.ACTIVE,
            }
            for org in ORGANISATIONS
        ],
    )
    _upsert(
        Person.objects.all(),
        "email",
        [
            {**person, "organisation_id": organisations[org.name].pk}
            for index, org in enumerate(ORGANISATIONS)
            for person in contacts_for(index, org)
        ],
    )
    _seed_roles_and_years()


def _without_prefecture(address: str, prefecture: int) -> str:
    """The prefecture is a field of its own; pages print it before the address."""
    with translation.override("ja"):
        return address.removeprefix(str(dict(PREFECTURES)[prefecture]))


def _demo_units(index: int) -> int:
    """Mostly 2 units, some 3 to 5, as among real full members."""
    for divisor, units in ((13, 5), (11, 4), (7, 3)):
        if index % divisor == divisor - 1:
            return units
    return 2


def _seed_roles_and_years() -> None:
    """Contact roles, two frozen fiscal years and next year's units deadline."""
    people = defaultdict(list)
    for person in Person.objects.filter(email__in=_all_contact_emails()).order_by(
        "family_name_kana", "given_name_kana"
    ):
        people[person.organisation_id].append(person)
    current_roles = PersonRole.objects.current()
    held = set(current_roles.values_list("organisation_id", "kind"))
    newsletter = current_roles.filter(kind=PersonRole.Kind.NEWSLETTER)
    held.update(newsletter.values_list("person_id", "kind"))
    today = timezone.localdate()
    new_roles = []
    for organisation_id, contacts in people.items():
        main, second = contacts[0], contacts[-1]
        wanted = [
            (main, PersonRole.Kind.PRIMARY),
            (main, PersonRole.Kind.BILLING),
            (main, PersonRole.Kind.VOTER),
            (second, PersonRole.Kind.REPRESENTATIVE),
            *((person, PersonRole.Kind.NEWSLETTER) for person in contacts),
        ]
        for person, kind in wanted:
            # Newsletter is held per person; the other roles once per organisation.
            holder = person.pk if kind == PersonRole.Kind.NEWSLETTER else organisation_id
            if (holder, kind) not in held:
                new_roles.append(
                    PersonRole(
                        person=person,
                        organisation_id=organisation_id,
                        kind=kind,
                        starts_on=today,
                    )
                )
    PersonRole.objects.bulk_create(new_roles)

    this_year = fiscal.current_fiscal_year()
    memberships = Membership.objects.current().select_related("membership_class", "organisation")
    names = [org.name for org in ORGANISATIONS]
    existing = set(MembershipYear.objects.values_list("organisation_id", "fiscal_year"))
    years = []
    for membership in memberships:
        cls = membership.membership_class
        units = _demo_units(names.index(membership.organisation.name)) if cls.has_units else None
        for fiscal_year in (this_year - 1, this_year):
            if (membership.organisation_id, fiscal_year) in existing:
                continue
            amount = cls.dues_for(units)
            # Standing changes only with recorded payments.
            standing = MembershipYear.Standing.DUE if amount else MembershipYear.Standing.EXEMPT
            years.append(
                MembershipYear(
                    organisation_id=membership.organisation_id,
                    fiscal_year=fiscal_year,
                    membership_class=cls,
                    units=units,
                    amount_due=amount,
                    votes=cls.votes_for(units),
                    standing=standing,
                )
            )
    MembershipYear.objects.bulk_create(years)
    FiscalYearSettings.objects.get_or_create(
        fiscal_year=this_year + 1,
        defaults={
            "units_deadline": datetime.datetime(
                this_year + 1, 2, 28, 17, 0, tzinfo=timezone.get_current_timezone()
            )
        },
    )


def _all_contact_emails() -> list[str]:
    return [
        person["email"]
        for index, org in enumerate(ORGANISATIONS)
        for person in contacts_for(index, org)
    ]
