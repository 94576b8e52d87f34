#!/usr/bin/env python3
"""make-fixtures.py: writes the TensorBoard log folders tests/import reads.

Usage: python3 make-fixtures.py OUTDIR   (the committed copy is tests/import/fixtures)

The event files are encoded by hand here (struct + zlib, no protobuf or
TensorFlow), the way PyTorch 1.13's SummaryWriter (torch/utils/tensorboard/
summary.py, writer.py, _embedding.py) and tf.summary (TF2 tensors) write them.
Field numbers: tensorboard/compat/proto/{event,summary,tensor,tensor_shape,
types,histogram,graph,node_def,attr_value}.proto, plugins/hparams/
{plugin_data,api}.proto, plugins/pr_curve/plugin_data.proto,
plugins/custom_scalar/layout.proto,
plugins/mesh/plugin_data.proto.

How the encoding was checked (once, at development time; CI has neither):
  - torch_wav's bytes equal those of summary.py's audio() (PyTorch 1.13, run
    with stand-ins for the tensorboard protos) for the same clips, and the
    audio records re-encode to the same bytes with the official runtime;
  - every record's bytes were parsed with the official runtime
    (apt-get install python3-protobuf protobuf-compiler; minimal copies of the
    .proto files above compiled with protoc in /tmp) and printed: each message
    decoded to the fields written here, with no unknown fields;
  - the mesh records (mesh_values) were decoded and encoded again with
    protoc --decode / --encode (libprotoc 3.21, the official C++ runtime) on
    minimal copies of event.proto, summary.proto, tensor.proto and
    plugins/mesh/plugin_data.proto, Event and MeshPluginData: the same bytes
    came back (the runtime writes fields in number order, repeated scalars
    packed, as Python's does);
  - crc32c below was compared with crcmod's predefined 'crc-32c' on every
    record and gives the known vector crc32c(b"123456789") = 0xE3069283.
"""
import os
import struct
import sys
import zlib

# --------------------------------------------------------------- crc32c

_T = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    _T.append(c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _T[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(data):
    n = struct.pack("<Q", len(data))
    return n + struct.pack("<I", masked(n)) + data + struct.pack("<I", masked(data))

# ------------------------------------------------------------- protobuf


def varint(v):
    v &= (1 << 64) - 1
    out = b""
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def key(field, wire):
    return varint(field << 3 | wire)


def f_varint(field, v):
    return key(field, 0) + varint(v)


def f_bytes(field, b):
    if isinstance(b, str):
        b = b.encode()
    return key(field, 2) + varint(len(b)) + b


def f_double(field, v):
    return key(field, 1) + struct.pack("<d", v)


def f_float(field, v):
    return key(field, 5) + struct.pack("<f", v)


def f_packed_doubles(field, vs):
    return f_bytes(field, b"".join(struct.pack("<d", v) for v in vs))


def f_packed_floats(field, vs):
    return f_bytes(field, b"".join(struct.pack("<f", v) for v in vs))

# ---------------------------------------------------------------- messages

DT_FLOAT, DT_DOUBLE, DT_STRING, DT_HALF = 1, 2, 7, 19


SESSION_START = 1  # SessionLog.SessionStatus


def event(wall_time, step=0, summary=None, file_version=None, graph_def=None, session_status=None):
    b = f_double(1, wall_time)
    if step:
        b += f_varint(2, step)
    if file_version is not None:
        b += f_bytes(3, file_version)
    if graph_def is not None:
        b += f_bytes(4, graph_def)
    if summary is not None:
        b += f_bytes(5, summary)
    if session_status is not None:
        b += f_bytes(7, f_varint(1, session_status))  # SessionLog session_log
    return b


def summary(*values):
    return b"".join(f_bytes(1, v) for v in values)


def metadata(plugin, content=b""):
    pd = f_bytes(1, plugin) + (f_bytes(2, content) if content else b"")
    return f_bytes(9, f_bytes(1, pd))


def shape(*dims):
    return f_bytes(2, b"".join(f_bytes(2, f_varint(1, d)) for d in dims))


def tensor(dtype, dims, content=None, float_val=None, string_val=None, half_val=None):
    b = f_varint(1, dtype) + shape(*dims)
    if content is not None:
        b += f_bytes(4, content)
    if float_val is not None:
        b += f_packed_floats(5, float_val)
    if half_val is not None:
        b += f_bytes(13, b"".join(varint(h) for h in half_val))
    for s in string_val or []:
        b += f_bytes(8, s)
    return b


def v_simple(tag, x):
    return f_bytes(1, tag) + f_float(2, x)


def v_tensor(tag, plugin, t, content=b""):
    return f_bytes(1, tag) + metadata(plugin, content) + f_bytes(8, t)


def v_histo(tag, mn, mx, num, s, ss, limits, counts):
    h = (f_double(1, mn) + f_double(2, mx) + f_double(3, num) + f_double(4, s)
         + f_double(5, ss) + f_packed_doubles(6, limits) + f_packed_doubles(7, counts))
    return f_bytes(1, tag) + f_bytes(5, h)


def v_image(tag, w, h, png):
    img = f_varint(1, h) + f_varint(2, w) + f_varint(3, 3) + f_bytes(4, png)
    return f_bytes(1, tag) + f_bytes(4, img)


def torch_wav(samples, sample_rate=44100):
    """summary.audio's WAV: the samples * 32767 truncated to int16 (numpy's
    astype("<i2")), written by Python's wave module as 16-bit PCM mono."""
    import io
    import wave
    fio = io.BytesIO()
    with wave.open(fio, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(struct.pack("<%dh" % len(samples), *[int(x * 32767) for x in samples]))
    return fio.getvalue()


def wav(fmt_tag, bits, channels, sample_rate, data, extensible=False):
    """A RIFF WAVE file: fmt chunk (WAVE_FORMAT_EXTENSIBLE's 40 bytes when
    asked, its sub-format GUID's first two bytes fmt_tag), data chunk."""
    align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 0xFFFE if extensible else fmt_tag, channels, sample_rate,
                      sample_rate * align, align, bits)
    if extensible:
        fmt += struct.pack("<HHI", 22, bits, 0) + struct.pack("<H", fmt_tag) + bytes.fromhex(
            "000000001000800000aa00389b71")
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def v_audio(tag, wav_bytes, sample_rate, channels, frames, content_type="audio/wav"):
    """summary.audio: Value{tag 1, audio 6: Audio{sample_rate 1 (float),
    num_channels 2, length_frames 3, encoded_audio_string 4, content_type 5}}."""
    a = (f_float(1, sample_rate) + f_varint(2, channels) + (f_varint(3, frames) if frames else b"")
         + f_bytes(4, wav_bytes) + f_bytes(5, content_type))
    return f_bytes(1, tag) + f_bytes(6, a)


AUDIO_WAV = 11  # AudioPluginData.Encoding


def v_audio_tensor(tag, clips, description=""):
    """tf.summary.audio (TF2) and TensorBoard's audio summary ops: a
    DT_STRING [k, 2] tensor (clip, label), plugin "audio" with
    AudioPluginData{version 1 (0), encoding 2}; SummaryMetadata{plugin_data 1,
    summary_description 3}."""
    t = tensor(DT_STRING, [len(clips), 2], string_val=[x for c in clips for x in c])
    pd = f_bytes(1, "audio") + f_bytes(2, f_varint(2, AUDIO_WAV))
    md = f_bytes(1, pd) + (f_bytes(3, description) if description else b"")
    return f_bytes(1, tag) + f_bytes(8, t) + f_bytes(9, md)


MESH_VERTEX, MESH_FACE, MESH_COLOR = 1, 2, 3  # MeshPluginData.ContentType
MESH_TYPE_NAMES = {MESH_VERTEX: "VERTEX", MESH_FACE: "FACE", MESH_COLOR: "COLOR"}


def mesh_values(name, vertices, colors=None, faces=None, json_config="{}", packed_shape=True,
                content=False):
    """add_mesh (summary.py's mesh() and _get_tensor_summary, TensorBoard's
    plugins/mesh/metadata.py): one Value per part present, VERTEX, FACE,
    COLOR in that order, tagged "<name>_<TYPE>": Value{tag 1, tensor 8: a
    DT_FLOAT [B, N, 3] tensor of float_val (or tensor_content when
    content), metadata 9: SummaryMetadata{plugin_data{"mesh",
    MeshPluginData{version 1 (0: left out), name 2, content_type 3,
    json_config 5, shape 6 (repeated int32, packed; one key a dim when not
    packed_shape), components 7 (1 << content_type of each part)}}}}.  The
    parts are nested lists [B][N][3]; colours and faces as numbers."""
    parts = [(vertices, MESH_VERTEX), (faces, MESH_FACE), (colors, MESH_COLOR)]
    parts = [(p, ct) for p, ct in parts if p is not None]
    components = 0
    for _, ct in parts:
        components |= 1 << ct
    values = []
    for p, ct in parts:
        dims = [len(p), len(p[0]) if p else 0, 3]
        flat = [float(x) for b in p for row in b for x in row]
        if packed_shape:
            shp = f_bytes(6, b"".join(varint(d) for d in dims))
        else:
            shp = b"".join(f_varint(6, d) for d in dims)
        pd = f_bytes(2, name) + f_varint(3, ct) + f_bytes(5, json_config) + shp + f_varint(7, components)
        if content:
            t = tensor(DT_FLOAT, dims, content=struct.pack("<%df" % len(flat), *flat))
        else:
            t = tensor(DT_FLOAT, dims, float_val=flat)
        values.append(f_bytes(1, "%s_%s" % (name, MESH_TYPE_NAMES[ct])) + f_bytes(8, t)
                      + metadata("mesh", pd))
    return values


def layout(*categories):
    """Layout{category 2}; categories: (title, [chart...])."""
    return b"".join(f_bytes(2, f_bytes(1, t) + b"".join(f_bytes(2, c) for c in charts))
                    for t, charts in categories)


def multiline(title, *tags):
    """Chart{title 1, multiline 2: MultilineChartContent{repeated tag 1}}."""
    return f_bytes(1, title) + f_bytes(2, b"".join(f_bytes(1, t) for t in tags))


def margin(title, *series):
    """Chart{title 1, margin 3: MarginChartContent{repeated Series{value, lower, upper}}}."""
    return f_bytes(1, title) + f_bytes(3, b"".join(
        f_bytes(1, f_bytes(1, v) + f_bytes(2, lo) + f_bytes(3, hi)) for v, lo, hi in series))


def v_custom_scalars(lay):
    # add_custom_scalars: tag "custom_scalars__config__", a scalar string tensor
    return v_tensor("custom_scalars__config__", "custom_scalars",
                    f_varint(1, DT_STRING) + f_bytes(2, b"") + f_bytes(8, lay))


def node_def(name, op, inputs=(), shape=None, attr_s=None, device=None):
    """NodeDef{name 1, op 2, repeated input 3, device 4, map<string, AttrValue> attr 5}.
    AttrValue{s 2, list 1: ListValue{repeated TensorShapeProto shape 7}}, as
    torch/utils/tensorboard/_proto_graph.py's node_proto writes them."""
    b = f_bytes(1, name) + f_bytes(2, op) + b"".join(f_bytes(3, i) for i in inputs)
    if device:
        b += f_bytes(4, device)
    if attr_s is not None:
        b += f_bytes(5, f_bytes(1, "attr") + f_bytes(2, f_bytes(2, attr_s)))
    if shape is not None:
        b += f_bytes(5, f_bytes(1, "_output_shapes")
                     + f_bytes(2, f_bytes(1, f_bytes(7, shape_body(*shape)))))
    return b


def shape_body(*dims):
    return b"".join(f_bytes(2, f_varint(1, d)) for d in dims)


def png(w, h, rgb_rows):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    raw = b"".join(b"\x00" + bytes(r) for r in rgb_rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def write(path, records, tail=b""):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        for r in records:
            f.write(record(r))
        f.write(tail)

# ---------------------------------------------------------------- fixtures

T0 = 1669111200.0  # 2022-11-22 10:00:00 UTC

SOUND_WAV = torch_wav([0, 0.5, -0.5, 1, -1, 0.25])
SOUND8K_WAV = torch_wav([0.125, -0.125, 0], 8000)
# stereo clips (frames interleaved) in two more of the encodings Lumen
# reads: 32-bit float, and 24-bit PCM in a WAVE_FORMAT_EXTENSIBLE header
TF2_WAV0 = wav(3, 32, 2, 16000, struct.pack("<4f", 0.5, -0.5, 0.25, -0.25))
TF2_WAV1 = wav(1, 24, 2, 16000, bytes([0, 0, 0x40, 0, 0, 0xC0, 0, 0, 0, 0xFF, 0xFF, 0x7F]),
               extensible=True)


def main(out):
    run = os.path.join(out, "runs", "Nov22_10-00-00_host")
    fv = event(T0, file_version="brain.Event:2")
    img_png = png(2, 2, [[255, 0, 0, 0, 255, 0], [0, 0, 255, 255, 255, 255]])
    # PR curve rows TP, FP, TN, FN, precision, recall; 3 thresholds
    pr = [3, 2, 0, 1, 0, 0, 0, 1, 2, 0, 1, 3, 0.75, 1.0, 1.0, 1.0, 2 / 3, 0.0]
    recs = [
        fv,
        event(T0 + 1.5, 0, summary(v_simple("loss", 1.0))),
        event(T0 + 2.5, 1, summary(v_simple("loss", 0.5))),
        event(T0 + 3.5, 2, summary(v_simple("loss", 0.25), v_simple("lr", 0.125))),
        # add_histogram: bucket i holds (limit[i-1], limit[i]]
        event(T0 + 4.0, 2, summary(v_histo("weights", -1.0, 3.0, 6, 5.0, 15.0,
                                           [0.0, 2.0, 1.7976931348623157e308],
                                           [2, 3, 1]))),
        event(T0 + 5.0, 3, summary(v_image("input", 2, 2, img_png))),
        event(T0 + 6.0, 4, summary(v_tensor("note", "text",
                                            tensor(DT_STRING, [1], string_val=["**hello** world"]),
                                            f_varint(1, 0)))),
        event(T0 + 7.0, 5, summary(v_tensor("table", "text",
                                            tensor(DT_STRING, [2, 2], string_val=["a", "b|c", "d", "e"])))),
        event(T0 + 8.0, 6, summary(v_tensor("pr", "pr_curves",
                                            tensor(DT_FLOAT, [6, 3], float_val=pr),
                                            f_varint(1, 0) + f_varint(2, 3)))),
        event(T0 + 9.0, 0, graph_def=b"\x0a\x00"),
        # add_audio("sound", torch.tensor([[0, .5, -.5, 1, -1, .25]]), 7)
        event(T0 + 10.0, 7, summary(v_audio("sound", SOUND_WAV, 44100, 1, 6))),
        # add_audio("sound", ..., 8, sample_rate=8000)
        event(T0 + 10.5, 8, summary(v_audio("sound", SOUND8K_WAV, 8000, 1, 3))),
        # an MP3 (an ID3 tag's first bytes) in a Summary.Audio: skipped
        event(T0 + 10.75, 8, summary(v_audio("mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00", 44100, 1, 0,
                                             "audio/mpeg"))),
        event(T0 + 11.0, 7, summary(v_tensor("mystery", "custom_plugin", tensor(DT_FLOAT, [], float_val=[1.0])))),
    ]
    write(os.path.join(run, "events.out.tfevents.1669111200.host.100.0"), recs)
    # TF2 style (tf.summary): a second file of the same run, read after the first
    tf2 = [
        event(T0 + 20.0, file_version="brain.Event:2"),
        event(T0 + 21.0, 10, summary(v_tensor("tf2/acc", "scalars",
                                              tensor(DT_FLOAT, [], content=struct.pack("<f", 0.875))))),
        event(T0 + 22.0, 11, summary(v_tensor("tf2/acc", "scalars",
                                              tensor(DT_DOUBLE, [], content=struct.pack("<d", 0.9375))))),
        event(T0 + 23.0, 12, summary(v_tensor("tf2/acc", "scalars",
                                              tensor(DT_HALF, [], half_val=[0x3C00])))),  # 1.0
        event(T0 + 24.0, 12, summary(v_tensor("tf2/hist", "histograms",
                                              tensor(DT_DOUBLE, [2, 3], content=struct.pack(
                                                  "<6d", 0.0, 1.0, 4.0, 1.0, 2.0, 6.0))))),
        event(T0 + 25.0, 12, summary(v_tensor("tf2/img", "images",
                                              tensor(DT_STRING, [3], string_val=[b"2", b"2", img_png])))),
        # tf.summary.audio("tf2/voice", data [2, 2, 2], 16000, 13, description=...):
        # two stereo clips, the first with a label as TensorBoard's own
        # summary op writes them (TF2's are empty)
        event(T0 + 26.0, 13, summary(v_audio_tensor("tf2/voice", [(TF2_WAV0, b"**first** clip"),
                                                                   (TF2_WAV1, b"")],
                                                    "two clips"))),
    ]
    write(os.path.join(run, "events.out.tfevents.1669111220.host.100.1"), tf2)
    # add_hparams: its own sub-folder, the experiment, the session start
    # (hparams), its end, and the metric as a scalar
    hp = os.path.join(run, "1669111230.5")
    metric = f_bytes(1, f_bytes(2, "hparam/accuracy"))  # MetricInfo{name{tag}}
    exp = f_bytes(2, f_bytes(4, f_bytes(1, "lr")) + f_bytes(5, metric))
    entries = (f_bytes(1, f_bytes(1, "lr") + f_bytes(2, f_double(2, 0.01)))
               + f_bytes(1, f_bytes(1, "optim") + f_bytes(2, f_bytes(3, "adam")))
               + f_bytes(1, f_bytes(1, "nesterov") + f_bytes(2, f_varint(4, 1))))
    ssi = f_bytes(3, entries + f_double(5, 0.0))
    sei = f_bytes(4, f_varint(1, 1))
    hrec = [
        fv,
        event(T0 + 30.0, 0, summary(f_bytes(1, "_hparams_/experiment") + metadata("hparams", exp))),
        event(T0 + 30.0, 0, summary(f_bytes(1, "_hparams_/session_start_info") + metadata("hparams", ssi))),
        event(T0 + 30.0, 0, summary(f_bytes(1, "_hparams_/session_end_info") + metadata("hparams", sei))),
        event(T0 + 30.5, 0, summary(v_simple("hparam/accuracy", 0.75))),
    ]
    write(os.path.join(hp, "events.out.tfevents.1669111230.host.100.2"), hrec)
    # add_embedding(mat 3x2, metadata, label_img 3x3x1x2, tag="default", step 0)
    emb = os.path.join(run, "00000", "default")
    os.makedirs(emb, exist_ok=True)
    with open(os.path.join(emb, "tensors.tsv"), "w") as f:
        f.write("1.0\t2.0\n3.0\t4.0\n5.5\t-6.0\n")
    with open(os.path.join(emb, "metadata.tsv"), "w") as f:
        f.write("cat\ndog\nbird\n")
    # sprite: 2 thumbnails a row (ceil(sqrt(3))), each 2 wide 1 high, in a
    # 4x4 square (make_sprite pads to a square)
    rows = [[255, 255, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0],
            [255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0],
            [0] * 12, [0] * 12]
    with open(os.path.join(emb, "sprite.png"), "wb") as f:
        f.write(png(4, 4, rows))
    with open(os.path.join(run, "projector_config.pbtxt"), "w") as f:
        f.write('embeddings {\n  tensor_name: "default:00000"\n'
                '  metadata_path: "00000/default/metadata.tsv"\n'
                '  sprite {\n    image_path: "00000/default/sprite.png"\n'
                '    single_image_dim: 2\n    single_image_dim: 1\n  }\n'
                '  tensor_path: "00000/default/tensors.tsv"\n}\n')

    # add_custom_scalars: Python regexes, translated where POSIX can say
    # the same, left out (and counted) where it cannot
    lay = layout(
        ("Training", [multiline("Loss", r"loss/\d+$", "val/loss"),
                      margin("Accuracy", ("acc", "acc_lo", "acc_hi"), ("acc2", "acc2_lo", "acc2_hi")),
                      multiline("Lazy", r"lr.*?/(?:head|tail)", r"a\.b\/c{,2}")]),
        ("Odd", [multiline("Words", r"\bloss"),
                 multiline("Sets", r"[\w\-]+/x\s"),
                 multiline("", "untitled/.*")]))
    write(os.path.join(out, "custom", "events.out.tfevents.1669111200.host.5.0"),
          [fv, event(T0 + 1, 0, summary(v_custom_scalars(lay))),
           event(T0 + 2, 1, summary(v_simple("loss/1", 1.0)))])
    # add_graph(Net(), torch.zeros(2, 4)) with Net: fc1 = Linear(4, 8),
    # relu, fc2 = Linear(8, 3): the NodeDefs PyTorch 1.13's
    # _pytorch_graph.graph() made (printed from it with stand-ins for the
    # tensorboard protos), in its order; a GetAttr's input names the
    # module object, which is not a node.  The Event has no step, and
    # add_graph writes tagged_run_metadata (step stats) after it.
    def linear(mod, x, out, n_out, sfx):
        # the GetAttrs of bias and weight (named with a suffix or not, as
        # the tracer numbered them), then aten::linear
        scope = "Net/Linear[%s]" % mod
        params = ["%s/%s/%s%s" % (scope, p, p, sfx) for p in ("bias", "weight")]
        return [node_def(params[k], "prim::GetAttr", ["%s/weight/%s" % (scope, mod)],
                         attr_s="{ name :  %s }" % ("bias", "weight")[k]) for k in (0, 1)] + [
            node_def("%s/%s" % (scope, out), "aten::linear", [x, params[1], params[0]],
                     shape=[2, n_out], attr_s="{}")]
    nodes = ([node_def("input/x", "IO Node", shape=[2, 4], attr_s=""),
              node_def("output/output.1", "IO Node", ["Net/Linear[fc2]/34"], shape=[2, 3], attr_s="")]
             + linear("fc1", "input/x", "31", 8, ".1")
             + [node_def("Net/input", "aten::relu", ["Net/Linear[fc1]/31"], shape=[2, 8], attr_s="{}")]
             + linear("fc2", "Net/input", "34", 3, ""))
    gdef = b"".join(f_bytes(1, n) for n in nodes) + f_bytes(4, f_varint(1, 22))  # versions{producer}
    trm = f_bytes(1, "step1") + f_bytes(2, f_bytes(1, f_bytes(1, f_bytes(1, "/device:CPU:0"))))
    write(os.path.join(out, "graph", "events.out.tfevents.1669111200.host.6.0"),
          [fv, event(T0 + 1, 0, graph_def=gdef), event(T0 + 1, 0) + f_bytes(8, trm)])

    # a run that crashed after step 9 and was resumed from step 5 with
    # SummaryWriter(purge_step=5): writer.py starts the new file with
    # Event(step=5, file_version) and Event(step=5, session_log START)
    def restart_step(t, step, x):
        w = float(x)
        return [event(t, step, summary(v_simple("loss", x))),
                event(t, step, summary(v_histo("w", 0.0, w, 1, w, w * w,
                                               [w, 1.7976931348623157e308], [1, 0])))]
    first = [fv] + sum((restart_step(T0 + s, s, s) for s in range(10)), [])
    second = ([event(T0 + 100, file_version="brain.Event:2"),
               event(T0 + 100, 5, file_version="brain.Event:2"),
               event(T0 + 100, 5, session_status=SESSION_START)]
              + sum((restart_step(T0 + 100 + s, s, 100 + s) for s in range(5, 8)), []))
    write(os.path.join(out, "restart", "events.out.tfevents.1669111200.host.7.0"), first)
    write(os.path.join(out, "restart", "events.out.tfevents.1669111300.host.7.0"), second)

    # add_mesh (PyTorch 1.13): a coloured point cloud with a config, a
    # tetrahedron with faces, a batch of two (B = 2), a face naming a
    # vertex past the end, faces whose vertices never came, and a cloud
    # written with tensor_content and an unpacked shape (TensorFlow's
    # writers), a cloud's parts in two events, colours out of range or of
    # another shape
    cloud = [[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.5, 0.0], [0.0, 0.0, -2.25]]]
    cloud_rgb = [[[255, 0, 0], [0, 255, 0], [0, 0, 255], [128, 128, 128]]]
    tetra = [[[1.0, 1.0, 1.0], [-1.0, -1.0, 1.0], [1.0, -1.0, -1.0], [-1.0, 1.0, -1.0]]]
    tetra_faces = [[[0, 2, 3], [0, 3, 1], [0, 1, 2], [1, 3, 2]]]
    batch = [[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
             [[0.0, 0.0, 1.0], [2.0, 0.0, 1.0], [0.0, 0.5, 1.0]]]
    batch_rgb = [[[10, 20, 30], [40, 50, 60], [70, 80, 90]],
                 [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
    batch_faces = [[[0, 1, 2]], [[2, 1, 0]]]
    cfg = '{"camera": {"cls": "PerspectiveCamera", "fov": 60}, "material": {"cls": "PointsMaterial", "size": 0.05}}'
    write(os.path.join(out, "mesh", "events.out.tfevents.1669111200.host.8.0"), [
        fv,
        event(T0 + 1, 1, summary(*mesh_values("cloud", cloud, colors=cloud_rgb, json_config=cfg))),
        event(T0 + 2, 2, summary(*mesh_values("tetra", tetra, faces=tetra_faces))),
        event(T0 + 3, 3, summary(*mesh_values("batch", batch, colors=batch_rgb, faces=batch_faces))),
        event(T0 + 4, 4, summary(*mesh_values("bad", tetra, faces=[[[0, 1, 9]]]))),
        event(T0 + 5, 5, summary(mesh_values("orphan", tetra, faces=tetra_faces)[1])),
        event(T0 + 6, 6, summary(*mesh_values("tf", cloud, content=True, packed_shape=False))),
        # one mesh's parts in two events of one step: gathered
        event(T0 + 7, 7, summary(mesh_values("split", cloud, colors=cloud_rgb)[0])),
        event(T0 + 7, 7, summary(mesh_values("split", cloud, colors=cloud_rgb)[1])),
        # a colour past 255, colours of another batch size than the vertices
        event(T0 + 8, 8, summary(*mesh_values("hot", [cloud[0][:2]], colors=[[[0, 300, 0], [1, 2, 3]]]))),
        event(T0 + 9, 9, summary(mesh_values("odd", cloud, colors=cloud_rgb)[0],
                                 mesh_values("odd", batch, colors=batch_rgb)[1])),
    ])

    # a bad data CRC in the third record: the first two are kept, the
    # fourth is not read
    bad = [record(fv), record(event(T0 + 1, 1, summary(v_simple("x", 1.0)))),
           bytearray(record(event(T0 + 2, 2, summary(v_simple("x", 2.0))))),
           record(event(T0 + 3, 3, summary(v_simple("x", 3.0))))]
    bad[2][-1] ^= 0xFF
    path = os.path.join(out, "bad", "events.out.tfevents.1669111200.host.1.0")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"".join(bytes(b) for b in bad))
    # a record cut short at the end (being written): not an error
    last = record(event(T0 + 3, 3, summary(v_simple("y", 3.0))))
    write(os.path.join(out, "tail", "events.out.tfevents.1669111200.host.2.0"),
          [fv, event(T0 + 1, 1, summary(v_simple("y", 1.0))),
           event(T0 + 2, 2, summary(v_simple("y", 2.0)))], tail=last[:len(last) // 2])
    # an empty event file, and a file that is not an event file
    os.makedirs(os.path.join(out, "empty"), exist_ok=True)
    open(os.path.join(out, "empty", "events.out.tfevents.1669111200.host.3.0"), "wb").close()
    with open(os.path.join(out, "empty", "notes.txt"), "w") as f:
        f.write("not an event file\n")
    os.makedirs(os.path.join(out, "garbage"), exist_ok=True)
    with open(os.path.join(out, "garbage", "events.out.tfevents.1669111200.host.4.0"), "w") as f:
        f.write("this is plain text, not TFRecords\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "fixtures"))
