#!/usr/bin/env python3
"""Builds the bundled age profiles from published aggregates.

The seed reports publish only aggregates (members, age-group shares, revenue,
spending, retiree ratios). The per-band shapes below are documented
assumptions; each profile is then scaled so that the model reproduces the
published base-year totals. Run from this folder: python3 make_profiles.py
The numbers written are rounded; tests/calibration.rs checks the model against
the published figures, not against this script.
"""

BANDS = ["0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44",
         "45-49", "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85+"]

# One-year death probabilities, rounded from China's 2020 census life table
# (both sexes); the scenario's mortality_multiplier moves them.
QX = [0.0012, 0.0002, 0.0002, 0.0004, 0.0005, 0.0006, 0.0008, 0.0012, 0.0018, 0.0028,
      0.0042, 0.0065, 0.0100, 0.0160, 0.0270, 0.0460, 0.0800, 0.1700]

# Births per person (both sexes) per year by band: a total fertility of about
# 1.3 children per woman (2 x 5 x sum = 1.33), Yunnan-like.
FERT = [0, 0, 0, 0.003, 0.025, 0.040, 0.040, 0.012, 0.003, 0, 0, 0, 0, 0, 0, 0, 0, 0]

# Relative propensity to leave the fund (selective decline): young adults who
# migrate or are cleaned up as duplicate enrolments leave first, then their
# children; the old rarely leave.
LEAVE = [1.5, 1.5, 1.5, 2.5, 3.0, 3.0, 3.0, 2.5, 2.0, 1.2, 1.0, 0.8, 0.5, 0.4, 0.3, 0.3, 0.3, 0.3]

# Relative admissions per member and relative cost per case by band (shape of
# Chinese resident-insurance claims: births at 20-39, a steep rise after 55).
ADM_SHAPE = [0.12, 0.04, 0.035, 0.045, 0.09, 0.10, 0.09, 0.075, 0.085, 0.11, 0.14, 0.18,
             0.26, 0.31, 0.38, 0.45, 0.50, 0.50]
COST_SHAPE = [0.60, 0.55, 0.60, 0.75, 0.80, 0.82, 0.88, 0.95, 1.00, 1.05, 1.10, 1.12,
              1.12, 1.12, 1.10, 1.08, 1.05, 1.00]
# Outpatient (general + chronic/special disease) visits per member and cost per visit.
VIS_SHAPE = [3.0, 1.8, 1.5, 1.3, 1.5, 1.7, 1.8, 2.0, 2.4, 3.0, 3.8, 4.8, 6.2, 7.2, 8.0, 8.5, 8.5, 8.0]
VCOST_SHAPE = [0.7, 0.6, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25, 1.25, 1.2, 1.15, 1.1]


def normalise(xs):
    s = sum(xs)
    return [x / s for x in xs]


def shares(under20, over60, shape_young, shape_mid, shape_old):
    """Member shares with the published under-20 and 60+ totals."""
    y, m, o = normalise(shape_young), normalise(shape_mid), normalise(shape_old)
    mid = 1 - under20 - over60
    return [under20 * v for v in y] + [mid * v for v in m] + [over60 * v for v in o]


def resident(members, under20, over60, young, mid, old, mean_cost, inpatient_fund_wan,
             outpatient_fund_wan, ip_reimb, op_reimb, payment_factor, mean_visit_cost):
    share = shares(under20, over60, young, mid, old)
    m = [members * s for s in share]
    # inpatient fund spending = sum m_b adm_b cost_b * payment_factor * ip_reimb
    cost = [mean_cost * c for c in COST_SHAPE]
    raw = sum(mb * a * c for mb, a, c in zip(m, ADM_SHAPE, cost)) * payment_factor * ip_reimb / 1e4
    k = inpatient_fund_wan / raw
    adm = [a * k for a in ADM_SHAPE]
    vcost = [mean_visit_cost * c for c in VCOST_SHAPE]
    raw_v = sum(mb * v * c for mb, v, c in zip(m, VIS_SHAPE, vcost)) * op_reimb / 1e4
    kv = outpatient_fund_wan / raw_v
    vis = [v * kv for v in VIS_SHAPE]
    return share, adm, cost, vis, vcost


def write(path, header_comment, cols):
    names = list(cols)
    with open(path, "w") as f:
        for line in header_comment.strip().splitlines():
            f.write("# " + line + "\n")
        f.write("band," + ",".join(names) + "\n")
        for b, label in enumerate(BANDS):
            f.write(label + "," + ",".join(cols[n][b] for n in names) + "\n")


def fmt(xs, d):
    return [f"{x:.{d}f}" for x in xs]


def fix_sum(xs, d):
    """Round to d decimals keeping the sum at exactly 1."""
    r = [round(x, d) for x in xs]
    i = max(range(len(r)), key=lambda j: r[j])
    r[i] = round(r[i] + 1 - sum(r), d)
    return r


# ---------------- Chuxiong resident fund, 2023 ----------------
# members 218.24万; under 20: 19.9 %; 60+: 21.6 % (Chuxiong 2023 evaluation).
# Basic benefits 217,543.51万, split 75 % inpatient / 25 % outpatient (assumed:
# the report gives no split; resident funds in Yunnan spend about three
# quarters on inpatient care). Inpatient: mean FFS cost 5,600 yuan per case
# (assumed), fund reimbursement 62 % of hospital payment (policy ratio 70 %
# within the catalogue), DRG covering 75 % of cases at a settlement ratio of
# 0.976 (Qingyang's), so payment = FFS x (0.25 + 0.75 x 0.976) = 0.982 x FFS.
BASIC = 217543.51
sh, adm, cost, vis, vcost = resident(
    2182400, 0.199, 0.216,
    young=[1.0, 1.05, 1.05, 1.0], mid=[1.05, 1.0, 1.05, 1.15, 1.15, 1.2, 1.25, 1.2],
    old=[1.3, 1.15, 0.85, 0.55, 0.3, 0.15],
    mean_cost=5600, inpatient_fund_wan=BASIC * 0.75, outpatient_fund_wan=BASIC * 0.25,
    ip_reimb=0.62, op_reimb=0.50, payment_factor=0.25 + 0.75 * 0.976, mean_visit_cost=120)
sh = fix_sum(sh, 6)
write("chuxiong-resident-2023.csv", """
Chuxiong resident fund, base year 2023. Built by make_profiles.py in this folder.
member_share: 19.9 % under 20 and 21.6 % aged 60+ (published), shapes within the groups assumed.
enrollment_rate: 95 % (the published floor for registered residents), 90 % for mobile ages 20-44.
survival: China 2020 census life table (rounded). fertility: births per person, TFR about 1.3.
admissions, inpatient_cost (FFS yuan per case), outpatient_visits, outpatient_cost (yuan per visit):
assumed age shapes scaled to the published basic-benefit spending 217,543.51万 (75 % inpatient).
""", {
    "member_share": fmt(sh, 6),
    "enrollment_rate": fmt([0.95] * 4 + [0.90] * 5 + [0.95] * 9, 3),
    "survival": fmt([1 - q for q in QX], 4),
    "fertility": fmt(FERT, 3),
    "leave_propensity": fmt(LEAVE, 1),
    "admissions": fmt(adm, 5),
    "inpatient_cost": fmt(cost, 1),
    "outpatient_visits": fmt(vis, 4),
    "outpatient_cost": fmt(vcost, 1),
})

# ---------------- Jingzhou resident fund, 2023 ----------------
# members 443.30万; spending 45.72亿 of which major illness assumed 100 yuan per
# member (4.433亿) and other 0.5亿; the rest basic benefits, 75 % inpatient.
# Hubei's population is older than Yunnan's: 60+ assumed 26 %, under 20 18 %.
J_BASIC = 457200 - 44330 - 5000
sh, adm, cost, vis, vcost = resident(
    4433000, 0.18, 0.26,
    young=[0.9, 1.0, 1.05, 1.0], mid=[0.9, 0.95, 1.05, 1.1, 1.1, 1.25, 1.35, 1.3],
    old=[1.3, 1.2, 0.85, 0.55, 0.3, 0.15],
    mean_cost=6200, inpatient_fund_wan=J_BASIC * 0.75, outpatient_fund_wan=J_BASIC * 0.25,
    ip_reimb=0.60, op_reimb=0.50, payment_factor=0.25 + 0.75 * 0.976, mean_visit_cost=110)
sh = fix_sum(sh, 6)
write("jingzhou-resident-2023.csv", """
Jingzhou resident fund, base year 2023. Built by make_profiles.py in this folder.
member_share: 60+ assumed 26 %, under 20 assumed 18 % (Hubei is older than the national mix).
Spending scaled to the published 45.72亿 less major illness (100 yuan per member) and 0.5亿 other.
Other columns as for Chuxiong (see that file and scenarios/data/README.md).
""", {
    "member_share": fmt(sh, 6),
    "enrollment_rate": fmt([0.97] * 18, 3),
    "survival": fmt([1 - q for q in QX], 4),
    "fertility": fmt([f * 0.85 for f in FERT], 4),
    "leave_propensity": fmt(LEAVE, 1),
    "admissions": fmt(adm, 5),
    "inpatient_cost": fmt(cost, 1),
    "outpatient_visits": fmt(vis, 4),
    "outpatient_cost": fmt(vcost, 1),
})

# ---------------- Jingzhou employee fund, 2023 ----------------
# 72.91万 members, retirees 36.68 % (active/retired 1.73). Pooled spending
# = balance / months x 12 = 23.32亿 / 13.88 x 12 = 20.16亿; retirees cost 4.23x
# active workers per head (published). Retirement: women at 50-55, men at 60.
RET = [0] * 9 + [0.02, 0.25, 0.55] + [1.0] * 6
emp_shape = [0, 0, 0, 0.002, 0.045, 0.085, 0.105, 0.105, 0.10, 0.105, 0.105, 0.09,
             0.085, 0.07, 0.045, 0.028, 0.018, 0.012]
# scale the 60+ part so that retirees are 36.68 % of members
def retiree_share(s):
    return sum(x * r for x, r in zip(s, RET)) / sum(s)
lo, hi = 0.1, 5.0
for _ in range(100):
    mid = (lo + hi) / 2
    s = [x * (mid if b >= 12 else 1) for b, x in enumerate(emp_shape)]
    if retiree_share(s) < 0.3668:
        lo = mid
    else:
        hi = mid
esh = fix_sum(normalise(s), 6)
m = [729100 * x for x in esh]
# per-head pooled cost rises with age; solve the old-age gradient g so that
# retirees' per-head cost is 4.23x active workers'.
def per_head(g):
    c = [1.0 + (g * (b - 8) if b > 8 else 0) ** 1.0 for b in range(18)]
    c = [max(x, 0.6) for x in c]
    ret = sum(mb * r * cb for mb, r, cb in zip(m, RET, c)) / sum(mb * r for mb, r in zip(m, RET))
    act = sum(mb * (1 - r) * cb for mb, r, cb in zip(m, RET, c)) / sum(mb * (1 - r) for mb, r in zip(m, RET))
    return c, ret / act
lo, hi = 0.0, 5.0
for _ in range(100):
    g = (lo + hi) / 2
    c, ratio = per_head(g)
    if ratio < 4.23:
        lo = g
    else:
        hi = g
# split per-head cost into admissions x cost (inpatient 70 %) and visits x cost (30 %)
POOLED = 201614.0  # 万元
ip_reimb, op_reimb, pay = 0.75, 0.60, 0.25 + 0.75 * 0.976
# flat cost per case and per visit: the age gradient sits in use per head, so the
# per-head ratio solved above carries through to spending
ecost = [7500.0] * 18
raw = sum(mb * cb * ec for mb, cb, ec in zip(m, c, ecost)) * pay * ip_reimb / 1e4
k = POOLED * 0.70 / raw
eadm = [k * cb for cb in c]
evcost = [180.0] * 18
raw_v = sum(mb * cb * vc for mb, cb, vc in zip(m, c, evcost)) * op_reimb / 1e4
kv = POOLED * 0.30 / raw_v
evis = [kv * cb for cb in c]
entr = [0, 0, 0, 0.05, 0.55, 0.30, 0.10] + [0] * 11
write("jingzhou-employee-2023.csv", """
Jingzhou employee fund, base year 2023. Built by make_profiles.py in this folder.
member_share: working-age shape, old-age part scaled so retirees are 36.68 % (published; active/retired 1.73).
retired_share: women retire at 50-55, men at 60; everyone 60+ retired.
Per-head cost grows with age so retirees cost 4.23x active workers per head (published), scaled to
pooled spending 20.16亿 (= 23.32亿 / 13.88 months x 12), 70 % inpatient.
entrant_share: where new workers join (mostly 20-29).
""", {
    "member_share": fmt(esh, 6),
    "survival": fmt([1 - q for q in QX], 4),
    "entrant_share": fmt(entr, 2),
    "leave_propensity": fmt(LEAVE, 1),
    "admissions": fmt(eadm, 5),
    "inpatient_cost": fmt(ecost, 1),
    "outpatient_visits": fmt(evis, 4),
    "outpatient_cost": fmt(evcost, 1),
    "retired_share": fmt(RET, 2),
})
print("retiree share", retiree_share(esh), "ratio", per_head(g)[1])

# ---------------- Qingyang, 2025 (both funds, DRG region) ----------------
# Qingyang publishes 218.14万 members and, for H1 2025, the DRG settlement
# figures reproduced by data/qingyang (cases and cost per case by band in
# demand-2025h1.csv). The fund is projected by year, so the base year's
# admissions are twice the half-year's cases. The age mix is not published:
# Chuxiong's shares are borrowed. Outpatient use is scaled so that annual
# pooled spending is twice the published H1 spending (2 x 16.47亿) once
# inpatient care (0.574547 x twice the H1 payment, 104,695万), major illness
# (100 yuan a member) and 5,000万 of other spending are counted.
import csv
members = 2181400
cx = [r for r in csv.reader(open("chuxiong-resident-2023.csv")) if not r[0].startswith("#")]
share = [float(r[cx[0].index("member_share")]) for r in cx[1:]]
dem = [r for r in csv.reader(open("../qingyang/demand-2025h1.csv")) if not r[0].startswith("#")]
cases = [float(r[1]) for r in dem[1:]]
cpc = [float(r[2]) for r in dem[1:]]
qadm = [2 * c / (members * s) for c, s in zip(cases, share)]
outpatient_fund = 329400 - 104695 - members * 100 / 1e4 - 5000
qvcost = [120 * c for c in VCOST_SHAPE]
raw_v = sum(members * s * v * c for s, v, c in zip(share, VIS_SHAPE, qvcost)) * 0.5 / 1e4
qvis = [v * outpatient_fund / raw_v for v in VIS_SHAPE]
write("qingyang-2025.csv", """
Qingyang (庆阳市), both funds together, base year 2025. Built by make_profiles.py in this folder.
member_share: not published; Chuxiong 2023's shares are borrowed.
admissions, inpatient_cost: twice the H1 2025 cases by band, and their cost per case, in
data/qingyang/demand-2025h1.csv (which reproduces the published DRG settlement).
outpatient_visits: scaled so that annual pooled spending is 2 x the published H1 16.47亿.
""", {
    "member_share": fmt(share, 6),
    "enrollment_rate": fmt([0.97] * 18, 3),
    "survival": fmt([1 - q for q in QX], 4),
    "fertility": fmt(FERT, 3),
    "leave_propensity": fmt(LEAVE, 1),
    "admissions": fmt(qadm, 6),
    "inpatient_cost": fmt(cpc, 2),
    "outpatient_visits": fmt(qvis, 4),
    "outpatient_cost": fmt(qvcost, 1),
})

# ---------------- Sanmen (三门县) resident fund, 2020 ----------------
# Sanmen County Medical Security Service Centre, 2020 work summary (2021-01-07):
# 311,881 residents; inpatient 44,275 cases, fund 21,724.78万 of which major
# illness 1,414.57万; outpatient 9,300.69万. The age mix is not published: a
# Zhejiang coastal county is older than Yunnan, 60+ assumed 27 %, under 20
# assumed 19 %. Inpatient fund share of hospital payment assumed 60 %; mean
# cost per case solved so that the profile gives the published 44,275 cases.
S_IP = 21724.78 - 1414.57
S_OP = 9300.69
S_CASES = 44275
S_MEMBERS = 311881
s_mean = 7000.0
for _ in range(50):
    sh, adm, cost, vis, vcost = resident(
        S_MEMBERS, 0.19, 0.27,
        young=[0.9, 1.0, 1.05, 1.0], mid=[0.85, 0.9, 1.0, 1.1, 1.15, 1.25, 1.3, 1.3],
        old=[1.3, 1.2, 0.9, 0.6, 0.35, 0.2],
        mean_cost=s_mean, inpatient_fund_wan=S_IP, outpatient_fund_wan=S_OP,
        ip_reimb=0.60, op_reimb=0.50, payment_factor=0.25 + 0.75 * 0.976, mean_visit_cost=90)
    cases = sum(S_MEMBERS * s * a for s, a in zip(sh, adm))
    s_mean *= cases / S_CASES
sh = fix_sum(sh, 6)
write("sanmen-resident-2020.csv", """
Sanmen (三门县) resident fund, base year 2020. Built by make_profiles.py in this folder.
member_share: not published; 60+ assumed 27 %, under 20 assumed 19 % (an older Zhejiang county).
admissions, inpatient_cost: assumed age shapes scaled to the published 44,275 cases and
20,310.21万 of basic inpatient fund spending (21,724.78万 less 1,414.57万 major illness).
outpatient_visits: scaled to the published outpatient fund spending 9,300.69万.
""", {
    "member_share": fmt(sh, 6),
    "enrollment_rate": fmt([0.99] * 18, 3),
    "survival": fmt([1 - q for q in QX], 4),
    "fertility": fmt([f * 0.9 for f in FERT], 4),
    "leave_propensity": fmt(LEAVE, 1),
    "admissions": fmt(adm, 5),
    "inpatient_cost": fmt(cost, 1),
    "outpatient_visits": fmt(vis, 4),
    "outpatient_cost": fmt(vcost, 1),
})

# ---------------- employee funds from aggregates (Sanmen, Fengdu) ----------------
def employee(members, retirees, cost_ratio, ip_fund_wan, cost_per_case, ip_reimb,
             op_fund_wan, op_reimb, visit_cost):
    """Jingzhou's working-age shape with the 60+ part scaled to `retirees`; per-head
    use rising with age so that retirees cost `cost_ratio` x an active worker; flat
    cost per case and per visit, admissions and visits scaled to the fund spending."""
    global m
    lo, hi = 0.1, 5.0
    for _ in range(100):
        mid = (lo + hi) / 2
        s = [x * (mid if b >= 12 else 1) for b, x in enumerate(emp_shape)]
        if retiree_share(s) < retirees:
            lo = mid
        else:
            hi = mid
    sh = fix_sum(normalise(s), 6)
    m = [members * x for x in sh]
    lo, hi = 0.0, 5.0
    for _ in range(100):
        g = (lo + hi) / 2
        c, ratio = per_head(g)
        if ratio < cost_ratio:
            lo = g
        else:
            hi = g
    cost = [cost_per_case] * 18
    raw = sum(mb * cb * ec for mb, cb, ec in zip(m, c, cost)) * pay * ip_reimb / 1e4
    adm = [ip_fund_wan / raw * cb for cb in c]
    vcost = [visit_cost] * 18
    raw_v = sum(mb * cb * vc for mb, cb, vc in zip(m, c, vcost)) * op_reimb / 1e4
    vis = [op_fund_wan / raw_v * cb for cb in c]
    print("employee profile: retirees", retiree_share(sh), "cost ratio", per_head(g)[1])
    return {
        "member_share": fmt(sh, 6),
        "survival": fmt([1 - q for q in QX], 4),
        "entrant_share": fmt(entr, 2),
        "leave_propensity": fmt(LEAVE, 1),
        "admissions": fmt(adm, 5),
        "inpatient_cost": fmt(cost, 1),
        "outpatient_visits": fmt(vis, 4),
        "outpatient_cost": fmt(vcost, 1),
        "retired_share": fmt(RET, 2),
    }


# ---------------- Sanmen employee fund, 2020 ----------------
# 98,166 members; inpatient 12,183 cases, fund 8,780.21万 of which major
# illness 178.97万; outpatient 10,869.03万 (published). Retirees are not
# published: assumed 28 % of members (Zhejiang counties run 2.5-3 workers per
# retiree), costing 3.5x an active worker per head (assumed). Fund share of
# hospital payment assumed 80 % (employees' higher benefits), of outpatient cost 75 %.
SE_IP = 8780.21 - 178.97
write("sanmen-employee-2020.csv", """
Sanmen (三门县) employee fund, base year 2020. Built by make_profiles.py in this folder.
member_share: Jingzhou's working-age shape, old-age part scaled so retirees are 28 % (assumed).
retired_share: women retire at 50-55, men at 60; everyone 60+ retired.
Per-head cost grows with age so retirees cost 3.5x active workers per head (assumed); admissions
scaled to the published 12,183 cases and 8,601.24万 basic inpatient fund spending, visits to the
published outpatient fund spending 10,869.03万 (fund pays 75 % of outpatient cost, assumed).
""", employee(98166, 0.28, 3.5, SE_IP, SE_IP * 1e4 / 12183 / (0.80 * pay), 0.80,
              10869.03, 0.75, 150.0))
print("sanmen resident mean cost", s_mean)

# ---------------- Fengdu (丰都县, Chongqing) resident fund, 2023 ----------------
# 丰都县医疗保障局 2023年度绩效自评工作报告: 586,640 residents; pooled spending
# January-November 38,503.49万, out-of-area care excluded. Annualised x 12/11 =
# 42,003.81万 (assumed: December like an average month). Split 72 % inpatient /
# 28 % outpatient, mean FFS cost 6,000 yuan a case, fund share 62 % of hospital
# payment (policy-range ratio 72 % published), 60+ 30 % and under-20 20 % of
# members (an old, labour-exporting Chongqing county): all assumed.
F_POOLED = 38503.49 * 12 / 11
sh, adm, cost, vis, vcost = resident(
    586640, 0.20, 0.30,
    young=[0.9, 1.0, 1.05, 1.0], mid=[0.7, 0.75, 0.85, 1.0, 1.15, 1.3, 1.35, 1.3],
    old=[1.3, 1.2, 0.9, 0.6, 0.35, 0.2],
    mean_cost=6000, inpatient_fund_wan=F_POOLED * 0.72, outpatient_fund_wan=F_POOLED * 0.28,
    ip_reimb=0.62, op_reimb=0.50, payment_factor=0.25 + 0.75 * 0.976, mean_visit_cost=80)
sh = fix_sum(sh, 6)
write("fengdu-resident-2023.csv", """
Fengdu (丰都县) resident fund, base year 2023. Built by make_profiles.py in this folder.
member_share: not published; 60+ assumed 30 %, under 20 assumed 20 % (young adults work away).
Use scaled to the published January-November in-area pooled spending 38,503.49万, annualised
(x 12/11 = 42,003.81万), split 72 % inpatient / 28 % outpatient (assumed).
""", {
    "member_share": fmt(sh, 6),
    "enrollment_rate": fmt([0.96] * 18, 3),
    "survival": fmt([1 - q for q in QX], 4),
    "fertility": fmt(FERT, 3),
    "leave_propensity": fmt(LEAVE, 1),
    "admissions": fmt(adm, 5),
    "inpatient_cost": fmt(cost, 1),
    "outpatient_visits": fmt(vis, 4),
    "outpatient_cost": fmt(vcost, 1),
})

# ---------------- Fengdu employee fund, 2023 ----------------
# 57,028 enterprise employees; pooled spending January-November 11,148.91万,
# out-of-area excluded; annualised 12,162.45万. Retirees assumed 36 % (Chongqing
# runs about 1.8 workers per retiree), costing 3.5x an active worker; 65 % of
# spending inpatient at 7,500 yuan a case, fund share 80 % / 75 %: all assumed.
FE_POOLED = 11148.91 * 12 / 11
write("fengdu-employee-2023.csv", """
Fengdu (丰都县) employee fund, base year 2023. Built by make_profiles.py in this folder.
member_share: Jingzhou's working-age shape, old-age part scaled so retirees are 36 % (assumed).
Per-head cost: retirees 3.5x active workers (assumed). Use scaled to the published January-November
in-area pooled spending 11,148.91万, annualised (12,162.45万), 65 % inpatient (assumed).
""", employee(57028, 0.36, 3.5, FE_POOLED * 0.65, 7500.0, 0.80, FE_POOLED * 0.35, 0.75, 150.0))
