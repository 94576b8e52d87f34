#!/usr/bin/env python3
"""make-expected.py: the bytes lumen-export must write for the run that
test-export.c's test_bytes logs, hand-encoded with make-fixtures.py's
helpers (whose encoding was checked against the official protobuf
runtime), in the field order torch.utils.tensorboard 1.13's summary.py
and writer.py produce.  Writes expected-records.h:

    python3 tests/export/make-expected.py > tests/export/expected-records.h
"""
import importlib.util
import os
spec = importlib.util.spec_from_file_location("mf", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "import", "make-fixtures.py"))
mf = importlib.util.module_from_spec(spec); spec.loader.exec_module(mf)
T0 = 1669111200.0
recs = [
  mf.event(T0 + 1.5, file_version="brain.Event:2"),
  mf.event(T0 + 1.5, 3, mf.summary(mf.v_simple("loss", 0.25))),
  # add_scalar("loss", 0.0, 4): proto3 leaves simple_value 0 out
  mf.event(T0 + 2.5, 4, mf.summary(mf.f_bytes(1, "loss"))),
  # make_histogram's layout: an empty bucket first, its limit the left edge
  mf.event(T0 + 4.0, 5, mf.summary(mf.v_histo("w", -1.0, 3.0, 6, 5.0, 15.0,
                                              [-1.0, 0.0, 2.0, 3.5], [0, 2, 3, 1]))),
  # summary.text: tag, tensor 8 (DT_STRING, shape [1]), metadata 9 ("text", no content)
  mf.event(T0 + 6.0, 6, mf.summary(mf.f_bytes(1, "note")
                                   + mf.f_bytes(8, mf.tensor(mf.DT_STRING, [1], string_val=["**hi**"]))
                                   + mf.metadata("text"))),
  # add_audio("sound", torch.tensor([[0, .5, -.5, 1, -1, .25]]), 7): Summary.Audio
  mf.event(T0 + 7.0, 7, mf.summary(mf.v_audio("sound", mf.SOUND_WAV, 44100, 1, 6))),
  # the same clip with a label: the audio plugin's [1, 2] tensor (clip, label)
  mf.event(T0 + 8.0, 8, mf.summary(mf.v_audio_tensor("voice", [(mf.SOUND_WAV, b"**hi**")]))),
]
# test_mesh_bytes: add_mesh("my_mesh", vertices [1, 4, 3], colors [1, 4, 3],
# faces [1, 4, 3], config_dict, 3), then add_mesh("cloud", vertices [1, 2,
# 3], None, None, None, 4): summary.py's mesh() (VERTEX, FACE, COLOR values,
# each tag, tensor, metadata; json_config json.dumps(config_dict,
# sort_keys=True), "{}" for None).  torch's summary.mesh needs the
# tensorboard package, which is not installed here: mesh_values encodes
# the same fields by hand.
mesh_cfg = ('{"camera": {"cls": "PerspectiveCamera", "fov": 75}, '
            '"material": {"cls": "MeshStandardMaterial"}}')
mesh_recs = [
  mf.event(T0 + 1.5, file_version="brain.Event:2"),
  mf.event(T0 + 1.5, 3, mf.summary(*mf.mesh_values(
      "my_mesh", [[[1, 1, 1], [-1, -1, 1], [1, -1, -1], [-1, 1, -1]]],
      colors=[[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 0, 255]]],
      faces=[[[0, 2, 3], [0, 3, 1], [0, 1, 2], [1, 3, 2]]], json_config=mesh_cfg))),
  mf.event(T0 + 2.5, 4, mf.summary(*mf.mesh_values("cloud", [[[0.5, -0.25, 2], [0.125, 0, -1]]]))),
]


def array(name, records):
    print("static const guint8 %s[] = {" % name)
    for i, r in enumerate(records):
        b = mf.record(r)
        print("  /* record %d */" % i)
        for k in range(0, len(b), 12):
            print("  " + " ".join("0x%02x," % x for x in b[k:k+12]))
    print("};")


print("/* expected-records.h: written by make-expected.py (do not edit). */")
array("expected_records", recs)
array("expected_mesh_records", mesh_recs)
print("/* make-fixtures.py's SOUND_WAV: PyTorch 1.13's add_audio WAV of the clip above */")
print("static const guint8 pytorch_wav[] = {")
for k in range(0, len(mf.SOUND_WAV), 12):
    print("  " + " ".join("0x%02x," % x for x in mf.SOUND_WAV[k:k+12]))
print("};")
