"""`Digraph`: the graphviz.Digraph that draw_graph returns, rendering SVG even without a system Graphviz."""
import graphviz

from .backends import dot_executable, render


class Digraph(graphviz.Digraph):
    """A graphviz.Digraph that renders SVG without a system Graphviz too (inline in Jupyter, `.svg()`)."""

    def svg(self, backend="auto"):
        """The rendered SVG text."""
        return render(self.source, "svg", backend).decode("utf-8")

    def _repr_image_svg_xml(self):        # what Jupyter's _repr_mimebundle_ calls
        return self.svg()

    _repr_svg_ = _repr_image_svg_xml

    def _repr_image_png(self):
        return render(self.source, "png")

    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False, *,
             engine=None, encoding=None):
        """graphviz.Digraph.pipe; without a system `dot`, plain SVG/PNG come from the other backends."""
        plain = renderer is None and formatter is None and not neato_no_op and engine in (None, "dot")
        if dot_executable() is None and plain and self.engine == "dot":
            out = render(self.source, format or self.format, "auto")
            return out.decode(encoding) if encoding else out
        return super().pipe(format, renderer, formatter, neato_no_op, quiet, engine=engine, encoding=encoding)
