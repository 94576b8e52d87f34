#!/usr/bin/env python3
"""make-gif-fixtures.py: writes the GIFs and the video run tests/import reads.

Usage: /usr/bin/python3 make-gif-fixtures.py OUTDIR
       (the committed copy is tests/import/{gif,video}, outside fixtures/, whose
       whole-folder import test counts its errors; needs numpy and Pillow 9.4)

OUTDIR/gif/NAME.gif, with NAME.rgba the frames a browser shows (every frame
the whole canvas, 8-bit RGBA, one after the other; a transparent pixel is
0,0,0,0).  Each NAME.rgba is what this script meant to draw AND what
Pillow 9.4 decodes the file to (Image.seek + convert("RGBA"), transparent
pixels zeroed): the script stops if the two differ.
  torch.gif       PyTorch 1.13 add_video's picture of a (3, 4, 3, 8, 10)
                  float video: its _prepare_video grid (torch/utils/
                  tensorboard/_utils.py, loaded from the file) scaled to
                  uint8 as summary.video does, written as moviepy (through
                  imageio) writes a GIF: a global palette, NETSCAPE2.0
                  loop 0, a delay of 1/fps per frame (moviepy is not
                  installed here, so Pillow writes it, quantizing every
                  frame to one palette; it crops the later frames to what
                  changed and gives them local palettes, so sub-rectangles
                  and local palettes are covered too)
  interlace.gif   interlaced frames of 13x19, a 4-colour global palette
                  (LZW code size 2) and a local one on frame 2
  dispose.gif     transparency and disposal 1, 2, 3 on sub-rectangles
  lzw12.gif       96x96 noise in 256 colours: the codes grow to 12 bits
                  and the full table is cleared at once (frame 1) or
                  after 300 more codes (frame 2, a deferred clear)
  still.gif       one frame (imported as a still image)
  torch30.gif     the first 3 frames of torch.gif's video at fps 30 (its
                  own palette; a delay of 3/100 s)
  apng.rgba       the frames of the run's APNG (Pillow's, 3 frames of
                  4x3 RGBA, 125 ms each; it decodes to them again)
Corrupt ones (no .rgba): truncated.gif (cut inside frame 2's data),
badcode.gif (an LZW code past the table), outside.gif (a frame that
does not fit the canvas).

OUTDIR/video/events...: a run as PyTorch's add_video logs it (Summary.Image
of the GIF, colorspace = channels), plus a still GIF, an APNG (Pillow's),
a JPEG (skipped) and the corrupt GIFs (named, the rest imported).
"""
import importlib.util
import io
import os
import struct
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


fx = load("make_fixtures", os.path.join(HERE, "make-fixtures.py"))

# ------------------------------------------------------------ GIF writer


def lzw(indices, m, defer=0):
    """GIF LZW: codes of m+1 bits growing to 12; when the table is full a
    clear code at once (defer 0) or after `defer` more codes."""
    clear, eoi = 1 << m, (1 << m) + 1
    out, acc, nacc = bytearray(), 0, 0
    state = {"width": m + 1, "dnext": clear + 2, "first": True}

    def put(code):
        nonlocal acc, nacc
        acc |= code << nacc
        nacc += state["width"]
        while nacc >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            nacc -= 8

    def data_code(code):
        # the decoder adds an entry for every code but the first after a
        # clear, and widens its codes when its next entry is 1 << width
        put(code)
        if state["first"]:
            state["first"] = False
            return
        if state["dnext"] < 4096:
            state["dnext"] += 1
            if state["dnext"] == 1 << state["width"] and state["width"] < 12:
                state["width"] += 1

    def reset():
        put(clear)
        state.update(width=m + 1, dnext=clear + 2, first=True)
        return {}, clear + 2

    table, nxt = reset()
    full = 0
    prefix = None
    for k in indices:
        if prefix is None:
            prefix = k
            continue
        if (prefix, k) in table:
            prefix = table[(prefix, k)]
            continue
        data_code(prefix)
        if nxt < 4096:
            table[(prefix, k)] = nxt
            nxt += 1
        else:
            full += 1
        if nxt == 4096 and full >= defer:
            table, nxt = reset()
            full = 0
        prefix = k
    if prefix is not None:
        data_code(prefix)
    put(eoi)
    if nacc:
        out.append(acc & 0xFF)
    return bytes(out)


def sub_blocks(b):
    return b"".join(bytes([len(b[i:i + 255])]) + b[i:i + 255] for i in range(0, len(b), 255)) + b"\0"


def pal_bytes(pal):
    n = 2
    while n < len(pal):
        n *= 2
    pal = list(pal) + [(0, 0, 0)] * (n - len(pal))
    return b"".join(bytes(c) for c in pal), n.bit_length() - 2


def gif(w, h, gct, frames, loop=0):
    """frames: dicts of x, y, w, h, idx (rows top to bottom), and optional
    lct, interlace, delay (1/100 s), disposal, transparent, m, defer."""
    flags, g = 0, b""
    if gct:
        g, size = pal_bytes(gct)
        flags = 0x80 | 0x70 | size
    b = b"GIF89a" + struct.pack("<HHBBB", w, h, flags, 0, 0) + g
    if loop is not None:
        b += b"\x21\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", loop) + b"\0"
    for f in frames:
        t = f.get("transparent")
        gce = ((f.get("disposal", 0) & 7) << 2) | (1 if t is not None else 0)
        b += b"\x21\xf9\x04" + struct.pack("<BHB", gce, f.get("delay", 10), t or 0) + b"\0"
        fl, lct = 0, b""
        if f.get("lct"):
            lct, size = pal_bytes(f["lct"])
            fl = 0x80 | size
        rows = f["idx"]
        if f.get("interlace"):
            fl |= 0x40
            order = [r for s, st in ((0, 8), (4, 8), (2, 4), (1, 2)) for r in range(s, f["h"], st)]
            rows = [rows[r] for r in order]
        b += b"\x2c" + struct.pack("<HHHHB", f["x"], f["y"], f["w"], f["h"], fl) + lct
        m = f.get("m", 8)
        b += bytes([m]) + sub_blocks(lzw([k for r in rows for k in r], m, f.get("defer", 0)))
    return b + b"\x3b"


def compose(w, h, gct, frames):
    """What a browser shows: RGBA canvases (transparent start, disposal
    2 -> transparent, 3 -> the canvas before the frame)."""
    canvas = np.zeros((h, w, 4), np.uint8)
    out, pending = [], None
    for f in frames:
        if pending is not None:
            kind, x, y, fw, fh, saved = pending
            if kind == 2:
                canvas[y:y + fh, x:x + fw] = 0
            else:
                canvas[:] = saved
        saved = canvas.copy()
        pal = f.get("lct") or gct
        for r in range(f["h"]):
            for c in range(f["w"]):
                k = f["idx"][r][c]
                if k != f.get("transparent"):
                    canvas[f["y"] + r, f["x"] + c] = list(pal[k]) + [255]
        out.append(canvas.copy())
        d = f.get("disposal", 0)
        pending = (d, f["x"], f["y"], f["w"], f["h"], saved) if d in (2, 3) else None
    return out


def pillow_frames(data):
    im = Image.open(io.BytesIO(data))
    out = []
    for i in range(im.n_frames):
        im.seek(i)
        a = np.array(im.convert("RGBA"))
        a[a[:, :, 3] == 0] = 0
        out.append(a)
    return out


def save(out, name, data, frames):
    d = os.path.join(out, "gif")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".gif"), "wb") as f:
        f.write(data)
    if frames is None:
        return
    got = pillow_frames(data)
    assert len(got) == len(frames), name
    for i, (a, b) in enumerate(zip(got, frames)):
        assert (a == b).all(), "%s frame %d: Pillow decodes it otherwise" % (name, i)
    with open(os.path.join(d, name + ".rgba"), "wb") as f:
        for a in frames:
            f.write(a.tobytes())


def full(w, h, idx, **kw):
    return dict(x=0, y=0, w=w, h=h, idx=idx, **kw)

# --------------------------------------------------------------- fixtures


def torch_video():
    """summary.video's uint8 THWC for a (3, 4, 3, 8, 10) float video."""
    ut = load("tb_utils", "/usr/lib/python3/dist-packages/torch/utils/tensorboard/_utils.py")
    n, t, c, h, w = 3, 4, 3, 8, 10
    v = np.zeros((n, t, c, h, w), np.float32)
    for i in range(n):
        for j in range(t):
            for y in range(h):
                for x in range(w):
                    on = (x + j) % w < 3 + i  # a bar moving right
                    v[i, j, i, y, x] = 1.0 if on else 0.0
                    v[i, j, (i + 1) % 3, y, x] = y / (h - 1)
    g = ut._prepare_video(v)
    scale = 255  # summary._calc_scale_factor: float input
    return (g.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)


def moviepy_gif(thwc, fps):
    """moviepy's write_gif through imageio: one palette for the clip,
    loop 0, 1/fps a frame (Pillow rounds it to 1/100 s)."""
    frames = [Image.fromarray(f) for f in thwc]
    strip = Image.fromarray(np.concatenate(list(thwc), axis=0))
    pal = strip.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    ps = [f.quantize(palette=pal, dither=Image.Dither.NONE) for f in frames]
    bio = io.BytesIO()
    ps[0].save(bio, format="GIF", save_all=True, append_images=ps[1:], duration=int(1000 / fps),
               loop=0)
    return bio.getvalue()


def main(out):
    # torch.gif: the composed frames are what Pillow decodes it to
    # (quantized colours), checked against the uint8 input's shape
    vid = torch_video()
    assert vid.shape == (4, 8, 40, 3), vid.shape  # 3 videos: 1 row of 4 (one black)
    torch_gif = moviepy_gif(vid, 4)
    tf = pillow_frames(torch_gif)
    for a, b in zip(tf, vid):
        assert np.abs(a[:, :, :3].astype(int) - b).max() <= 16
    save(out, "torch", torch_gif, tf)
    torch30 = moviepy_gif(vid[:3], 30)  # 1/30 s: 3/100 s in a GIF
    save(out, "torch30", torch30, pillow_frames(torch30))

    # interlace.gif: 13x19, 4 colours, code size 2, a local palette
    g4 = [(0, 0, 0), (255, 0, 0), (0, 255, 0), (0, 0, 255)]
    l4 = [(255, 255, 0), (0, 255, 255), (255, 0, 255), (128, 128, 128)]
    w, h = 13, 19
    fr = [full(w, h, [[(x * y + y) % 4 for x in range(w)] for y in range(h)], interlace=True, m=2,
               delay=7),
          full(w, h, [[(x + 2 * y) % 4 for x in range(w)] for y in range(h)], interlace=True, m=2,
               lct=l4, delay=7)]
    save(out, "interlace", gif(w, h, g4, fr), compose(w, h, g4, fr))

    # dispose.gif: 12x10; index 0 transparent throughout
    g8 = [(0, 0, 0), (200, 10, 10), (10, 200, 10), (10, 10, 200), (250, 250, 250), (90, 90, 0),
          (0, 90, 90), (90, 0, 90)]
    w, h = 12, 10
    fr = [full(w, h, [[(x // 3 + y // 3) % 5 for x in range(w)] for y in range(h)], transparent=0,
               disposal=1, delay=20),
          dict(x=2, y=1, w=5, h=4, idx=[[5] * 5, [5, 0, 0, 0, 5], [5, 0, 6, 0, 5], [5] * 5],
               transparent=0, disposal=2, delay=20),
          dict(x=6, y=5, w=6, h=5, idx=[[7 if (x + y) % 2 else 0 for x in range(6)] for y in range(5)],
               transparent=0, disposal=3, delay=40, m=3),
          dict(x=0, y=0, w=4, h=3, idx=[[6] * 4] * 3, transparent=0, disposal=1, delay=20)]
    save(out, "dispose", gif(w, h, g8, fr), compose(w, h, g8, fr))

    # lzw12.gif: noise fills the 4096-code table at once and later
    rng = np.random.RandomState(7)
    g256 = [(i, (i * 7) % 256, 255 - i) for i in range(256)]
    w, h = 96, 96
    fr = [full(w, h, rng.randint(0, 256, (h, w)).tolist(), delay=10),
          full(w, h, rng.randint(0, 256, (h, w)).tolist(), delay=10, defer=300)]
    lz = gif(w, h, g256, fr)
    save(out, "lzw12", lz, compose(w, h, g256, fr))

    # still.gif: one frame, opaque
    w, h = 5, 3
    fr = [full(w, h, [[(x + y) % 3 + 1 for x in range(w)] for y in range(h)])]
    still = gif(w, h, g4, fr, loop=None)
    save(out, "still", still, compose(w, h, g4, fr))

    # corrupt ones
    good = open(os.path.join(out, "gif", "interlace.gif"), "rb").read()
    truncated = good[:len(good) - 20]
    save(out, "truncated", truncated, None)
    w, h = 4, 2
    # 2-bit palette, code size 2: clear (4), 1, then 7 (the table has 6)
    bits = [(4, 3), (1, 3), (7, 3), (5, 3)]
    acc = n = 0
    for code, width in bits:
        acc |= code << n
        n += width
    data = acc.to_bytes((n + 7) // 8, "little")
    badcode = (b"GIF89a" + struct.pack("<HHBBB", w, h, 0x80 | 0x71, 0, 0) + b"".join(bytes(c) for c in g4)
               + b"\x2c" + struct.pack("<HHHHB", 0, 0, w, h, 0) + b"\x02" + sub_blocks(data) + b"\x3b")
    save(out, "badcode", badcode, None)
    outside = gif(6, 4, g4, [full(6, 4, [[1] * 6] * 4), dict(x=4, y=2, w=3, h=2, idx=[[2] * 3] * 2)])
    save(out, "outside", outside, None)

    # the run: what PyTorch's add_video writes (Summary.Image with the GIF,
    # height, width, colorspace 3), a still GIF, an APNG, a JPEG, the
    # corrupt GIFs
    def v_gif(tag, w, h, c, b):
        img = fx.f_varint(1, h) + fx.f_varint(2, w) + fx.f_varint(3, c) + fx.f_bytes(4, b)
        return fx.f_bytes(1, tag) + fx.f_bytes(4, img)

    apng = io.BytesIO()
    ap = [Image.fromarray(np.full((3, 4, 4), (i * 80, 255 - i * 80, 30, 255), np.uint8)) for i in range(3)]
    ap[1].putpixel((1, 1), (0, 0, 0, 0))
    ap[0].save(apng, format="PNG", save_all=True, append_images=ap[1:], duration=125, loop=0,
               default_image=False)
    back = Image.open(io.BytesIO(apng.getvalue()))
    assert back.n_frames == 3
    for i in range(3):
        back.seek(i)
        assert (np.array(back.convert("RGBA")) == np.array(ap[i])).all(), "APNG frame %d" % i
    jpeg = io.BytesIO()
    Image.new("RGB", (2, 2), (10, 20, 30)).save(jpeg, format="JPEG")
    with open(os.path.join(out, "gif", "apng.rgba"), "wb") as f:
        for a in ap:
            f.write(np.array(a).tobytes())
    T0 = fx.T0
    recs = [fx.event(T0, file_version="brain.Event:2"),
            fx.event(T0 + 1, 0, fx.summary(v_gif("episode", 40, 8, 3, torch_gif))),
            fx.event(T0 + 2, 1, fx.summary(v_gif("episode", 40, 8, 3, torch30))),
            fx.event(T0 + 3, 1, fx.summary(v_gif("still", 5, 3, 3, still))),
            fx.event(T0 + 4, 2, fx.summary(v_gif("broken", 13, 19, 3, truncated),
                                           v_gif("broken", 4, 2, 3, badcode),
                                           v_gif("broken", 6, 4, 3, outside))),
            fx.event(T0 + 5, 2, fx.summary(v_gif("apng", 4, 3, 4, apng.getvalue()),
                                           v_gif("photo", 2, 2, 3, jpeg.getvalue()))),
            fx.event(T0 + 6, 3, fx.summary(v_gif("dispose", 12, 10, 4,
                                                 open(os.path.join(out, "gif", "dispose.gif"), "rb").read())))]
    fx.write(os.path.join(out, "video", "events.out.tfevents.1669111200.host.8.0"), recs)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else HERE)
