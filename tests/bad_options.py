"""Bad option values and the one line each must give, the same from the command line and the window.

Each case is (option name, the text a user types, the message).  A `{file}` in the text stands for
an existing file, `{missing}` for a path that does not exist.  `PARSE_ERRORS` are refused while the
text is read, where argparse words the start of the CLI's line itself.
"""

BAD_OPTIONS = [
    ("iterations", "-5", "iterations (-n/--iterations) must be between 1 and 10000000, got -5"),
    ("iterations", "0", "iterations (-n/--iterations) must be between 1 and 10000000, got 0"),
    ("iterations", "ten", "expects a whole number, got 'ten'"),
    ("duration_s", "0", "time (-t/--time) must be more than 0 and at most 86400, got 0"),
    ("duration_s", "nan", "time (-t/--time) must be a finite number, got nan"),
    ("threshold", "2", "threshold (--threshold) must be between 0 and 1, got 2"),
    ("threshold", "nan", "threshold (--threshold) must be a finite number, got nan"),
    ("nms_iou", "-1", "NMS IoU (--nms) must be between 0 and 1, got -1"),
    ("nms_iou", "5", "NMS IoU (--nms) must be between 0 and 1, got 5"),
    ("scale", "0", "scale (--scale) values must each be more than 0, got 0"),
    ("mean", "nan", "mean (--mean) must be a finite number, got nan"),
    ("mean", "1,2", "mean (--mean) takes 1 or 3 values, got 2: 1,2"),
    ("cache_dir", "{file}", "cache folder (--cache-dir) must be a folder, but {file} is a file"),
    ("labels_path", "{missing}", "labels (--labels) must be a file, but {missing} does not exist"),
    ("accuracy", "{missing}", "accuracy (--accuracy) must be a file or a folder, but {missing} does not exist"),
    ("nireq", "10000", "requests (--nireq) must be between 1 and 256, got 10000"),
    ("nstreams", "0", "streams (--nstreams) must be between 1 and 256, got 0"),
    ("nthreads", "-2", "threads (--nthreads) must be between 1 and 1024, got -2"),
    ("input_shape", "1,3,0,640", "input shape (--shape) values must each be between 1 and 16384, got 0"),
    ("input_shape", "1,3,100000,640", "input shape (--shape) values must each be between 1 and 16384, got 100000"),
    ("input_shape", "1,3,x,640", "expects a whole number, got 'x'"),
    ("decoder_timeout_s", "0", "decoder timeout (--decoder-timeout) must be more than 0 and at most 86400, got 0"),
    ("decoder_timeout_s", "inf", "decoder timeout (--decoder-timeout) must be a finite number, got inf"),
    ("batch", "0", "batch (-b/--batch) must be between 1 and 16384, got 0"),
    ("target_qps", "0", "target QPS (--target-qps) must be more than 0 and at most 1000000, got 0"),
    ("p99_ms", "inf", "p99 bound (--p99-ms) must be a finite number, got inf"),
    ("input_shapes", "x[1,3,0,320]", "input shapes (--shape) [1,3,0,320] is not a shape: give 1 to 8 sizes between 1 and 16384"),
    ("input_shapes", "x[1,3", "input shapes (--shape) cannot read 'x[1,3': write NAME[1,3,48,320] or [1,3,320,320][1,3,640,640]"),
    ("input_shapes", "x[1,3][1,3]", "input shapes (--shape) gives input 'x' 2 shapes; one each (several shapes: --data-shape)"),
    ("data_shapes", "[1,3,32,32]x", "data shapes (--data-shape) cannot read '[1,3,32,32]x': "
                                    "write NAME[1,3,48,320] or [1,3,320,320][1,3,640,640]"),
    ("data_shapes", "a[1,2][1,4],b[3]", "data shapes (--data-shape) gives the inputs different numbers of shapes "
                                        "(a[1,2][1,4],b[3]); give each input one shape per run"),
]

PARSE_ERRORS = {"ten", "1,3,x,640"}


def filled(text: str, file: str, missing: str) -> str:
    return text.replace("{file}", file).replace("{missing}", missing)
