"""Subset Noto Sans CJK SC to GB 2312 + Latin + the repository's own characters, as TrueType (glyf)."""
import sys, pathlib
from fontTools.ttLib import TTCollection
from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import newTable
from fontTools.ttLib.tables._g_l_y_f import Glyph

src, repo, out = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
chars = set()
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode('gb2312'))
        except UnicodeDecodeError:
            pass
chars.update(chr(c) for c in range(0x20, 0x7F))
chars.update(chr(c) for c in range(0xA0, 0x100))
chars.update('–—‘’“”…•‰′″€₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹←↑→↓↔≈≠≤≥±×÷−∞√Σ·°µ')
for p in list(repo.glob('src/**/*.rs')) + list(repo.glob('scenarios/**/*.toml')) + list(repo.glob('scenarios/**/*.csv')):
    chars.update(ch for ch in p.read_text(encoding='utf-8') if ord(ch) >= 0x80)
font = TTCollection(src).fonts[2]  # Noto Sans CJK SC
opts = subset.Options()
opts.layout_features = ['kern']
opts.name_IDs = ['*']
opts.hinting = False
opts.drop_tables += ['vhea', 'vmtx', 'VORG', 'BASE', 'GSUB']
opts.notdef_outline = True
sub = subset.Subsetter(opts)
sub.populate(unicodes=[ord(c) for c in chars])
sub.subset(font)
missing = [c for c in chars if ord(c) not in font.getBestCmap()]
print('wanted', len(chars), 'missing', len(missing), ''.join(sorted(missing))[:80])

# CFF -> glyf (quadratic), max error 1 unit of 1000.
gs = font.getGlyphSet()
order = font.getGlyphOrder()
glyf = newTable('glyf'); glyf.glyphOrder = order; glyf.glyphs = {}
for name in order:
    pen = TTGlyphPen(gs)
    try:
        gs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    except Exception:
        glyf.glyphs[name] = Glyph()
font['loca'] = newTable('loca')
font['glyf'] = glyf
del font['CFF ']
font.sfntVersion = '\x00\x01\x00\x00'
maxp = font['maxp']; maxp.tableVersion = 0x00010000
for a in ('maxZones','maxTwilightPoints','maxStorage','maxFunctionDefs','maxInstructionDefs','maxStackElements','maxSizeOfInstructions','maxComponentElements'):
    setattr(maxp, a, 0)
maxp.maxZones = 1
font['head'].indexToLocFormat = 1
font['head'].glyphDataFormat = 0
if 'post' in font:
    font['post'].formatType = 3.0
# plotters places each glyph at a whole pixel (truncated), which eats into
# Source Sans's narrow 0.224 em space at chart sizes; widen it to 0.32 em.
cmap = font.getBestCmap()
for cp in (0x20, 0xA0):
    g = cmap.get(cp)
    if g:
        adv, lsb = font['hmtx'][g]
        font['hmtx'][g] = (320, lsb)
name = font['name']
for rec in list(name.names):
    if rec.nameID in (1, 3, 4, 16):
        rec.string = 'Drgsim Sans SC'
    elif rec.nameID == 6:
        rec.string = 'DrgsimSansSC-Regular'
    elif rec.nameID == 17:
        rec.string = 'Regular'
font.save(out)
print(out, pathlib.Path(out).stat().st_size)
