// A plain shared library: no manifest, no ABI function.
extern "C" int not_a_plugin_answer() { return 42; }
