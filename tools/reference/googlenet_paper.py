"""GoogLeNet as the paper has it (Szegedy et al. 2015, Table 1 and Section 5), laid out as Caffe's bvlc_googlenet
train_val.prototxt: convolutions with bias and ReLU, LRN(5, 1e-4, 0.75, k=1) after pool1 and after the 3x3 stem
convolution, 5x5 convolutions in each module's third branch, ceil-mode max pools, a 7x7/1 average pool, dropout 0.4,
and two auxiliary classifiers (5x5/3 average pool, 1x1 conv 128, FC 1024, dropout 0.7, FC) that run in training only.

Module names follow torchvision's GoogLeNet (conv1.conv, inception3a.branch2.1.conv, aux1.fc1, ...) with norm1/norm2 for
the LRNs, as RepZoo's googlenet_paper names its vertices. Written from the prototxt for RepZoo's golden keys and parity
fixtures; no weights of it exist in PyTorch.
"""
import torch
from torch import nn

TABLE_1 = [  # name, #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj; "M" = max pool 3x3/2; "aux" = classifier
    ("inception3a", 64, 96, 128, 16, 32, 32), ("inception3b", 128, 128, 192, 32, 96, 64), ("maxpool3",),
    ("inception4a", 192, 96, 208, 16, 48, 64), ("aux1",), ("inception4b", 160, 112, 224, 24, 64, 64),
    ("inception4c", 128, 128, 256, 24, 64, 64), ("inception4d", 112, 144, 288, 32, 64, 64), ("aux2",),
    ("inception4e", 256, 160, 320, 32, 128, 128), ("maxpool4",),
    ("inception5a", 256, 160, 320, 32, 128, 128), ("inception5b", 384, 192, 384, 48, 128, 128),
]


class Unit(nn.Module):
    """Convolution with bias, then ReLU (Caffe's Convolution + in-place ReLU)."""

    def __init__(self, cin, cout, kernel, stride=1, padding=0):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, padding)

    def forward(self, x):
        return torch.relu(self.conv(x))


class Inception(nn.Module):
    def __init__(self, cin, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = Unit(cin, ch1x1, 1)
        self.branch2 = nn.Sequential(Unit(cin, ch3x3red, 1), Unit(ch3x3red, ch3x3, 3, padding=1))
        self.branch3 = nn.Sequential(Unit(cin, ch5x5red, 1), Unit(ch5x5red, ch5x5, 5, padding=2))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), Unit(cin, pool_proj, 1))
        self.out_channels = ch1x1 + ch3x3 + ch5x5 + pool_proj

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class Aux(nn.Module):
    def __init__(self, cin, num_classes):
        super().__init__()
        self.pool = nn.AvgPool2d(5, 3, ceil_mode=True)
        self.conv = Unit(cin, 128, 1)
        self.fc1 = nn.Linear(2048, 1024)
        self.dropout = nn.Dropout(0.7)
        self.fc2 = nn.Linear(1024, num_classes)

    def forward(self, x):
        x = torch.flatten(self.conv(self.pool(x)), 1)
        return self.fc2(self.dropout(torch.relu(self.fc1(x))))


class PaperGoogLeNet(nn.Module):
    aux_logits = True

    def __init__(self, num_classes=1000):
        super().__init__()
        self.conv1 = Unit(3, 64, 7, 2, 3)
        self.maxpool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.norm1 = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)
        self.conv2 = Unit(64, 64, 1)
        self.conv3 = Unit(64, 192, 3, padding=1)
        self.norm2 = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)
        self.maxpool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.body, channels = [], 192
        for row in TABLE_1:
            if row[0].startswith("maxpool"):
                self.add_module(row[0], nn.MaxPool2d(3, 2, ceil_mode=True))
            elif row[0].startswith("aux"):
                self.add_module(row[0], Aux(channels, num_classes))
            else:
                module = Inception(channels, *row[1:])
                self.add_module(row[0], module)
                channels = module.out_channels
            self.body.append(row[0])
        self.avgpool = nn.AvgPool2d(7, 1)
        self.dropout = nn.Dropout(0.4)
        self.fc = nn.Linear(1024, num_classes)

    def forward(self, x):
        x = self.maxpool1(self.conv1(x))
        x = self.maxpool2(self.norm2(self.conv3(self.conv2(self.norm1(x)))))
        aux = []
        for name in self.body:
            if name.startswith("aux"):
                if self.training:
                    aux.append(getattr(self, name)(x))
            else:
                x = getattr(self, name)(x)
        x = self.fc(self.dropout(torch.flatten(self.avgpool(x), 1)))
        return (x, *aux) if self.training else x
