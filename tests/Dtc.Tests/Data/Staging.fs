module Dtc.Tests.Data.Staging

open System
open Expecto
open TorchSharp
open Dtc.Data
open Dtc.Tests.Data.Idx
open Dtc.Tests.Support

let private sample = lazy (Datasets.mnistSample ())

let private bytesOf (s: Split) = match s.Features with Bytes b -> b | Floats _ -> failwith "Expecting byte features"

/// Stages a split of the sample with the given statistics (of the sample's shape).
let private stageSample (statistics: Statistics) (batchSize: int) (device: torch.Device) (split: Split) =
    Staging.stage statistics batchSize device sample.Value.SampleShape split

/// The devices to stage on: the CPU, and CUDA when present.
let private devices = Combos.all |> List.map (fun c -> c.Device) |> List.distinctBy (fun d -> string d.``type``)

/// Float32 arithmetic: about 7 significant digits.
let private float32Accuracy = { absolute = 1e-6; relative = 1e-6 }

let private paper = Staging.statistics Normalisation.paper sample.Value.Train

/// Mean and population std in float64, the textbook two-pass way, as an independent reference.
let private reference (values: float[]) =
    let mean = Array.average values
    mean, sqrt (values |> Array.averageBy (fun v -> (v - mean) * (v - mean)))

/// A small float data set: 3 classes of 4 features, 30 train and 9 test samples.
let private floats =
    lazy (
        let rng = Random 7
        let split n = Floats(Array.init (n * 4) (fun _ -> float32 (rng.NextDouble() * 10.0 - 3.0))), Array.init n (fun i -> i % 3)
        Datasets.ofArrays "floats" [| 4 |] None (split 30) (split 9))

let private normalisation =
    testList "normalisation" [
        testCase "given statistics are taken as they are; Off is mean 0, std 1" <| fun () ->
            Expect.equal paper { Mean = 0.1307; Std = 0.3081 } "the paper's"
            Expect.equal (Staging.statistics Off sample.Value.Train) { Mean = 0.0; Std = 1.0 } "none"
            Expect.equal Normalisation.defaults Normalisation.paper "defaults are the paper's"

        testCase "computed on bytes: the mean and std of x/255 over every training pixel, as a float64 computation" <| fun () ->
            let s = Staging.statistics Computed sample.Value.Train
            let mean, std = reference (bytesOf sample.Value.Train |> Array.map (fun b -> float b / 255.0))
            Expect.floatClose Accuracy.veryHigh s.Mean mean "mean"
            Expect.floatClose Accuracy.veryHigh s.Std std "std"
            // MNIST's well-known statistics, to the digits the paper gives (the sample is a tenth of MNIST).
            Expect.floatClose { absolute = 0.005; relative = 0.0 } s.Mean 0.1307 "close to MNIST's mean"
            Expect.floatClose { absolute = 0.005; relative = 0.0 } s.Std 0.3081 "close to MNIST's std"

        testCase "computed on floats: float64 mean and population std of the training features only" <| fun () ->
            let d = floats.Value
            let s = Staging.statistics Computed d.Train
            let values = match d.Train.Features with Floats x -> x |> Array.map float | Bytes _ -> failwith "floats"
            let mean, std = reference values
            Expect.floatClose Accuracy.veryHigh s.Mean mean "mean"
            Expect.floatClose Accuracy.veryHigh s.Std std "std"
            use staged = Staging.stage s 8 torch.CPU d.SampleShape d.Train
            let inputs = Dtc.Runtime.Torch.toArray staged.Inputs
            let m, sd = reference inputs
            Expect.floatClose { absolute = 1e-6; relative = 0.0 } m 0.0 "standardised mean 0"
            Expect.floatClose { absolute = 1e-6; relative = 1e-6 } sd 1.0 "standardised std 1"
            Expect.equal staged.Statistics s "the record keeps the statistics"

        testCase "computed statistics match NumPy's mean and std (ddof 0) of tests/fixtures/normalisation.json" <| fun () ->
            let fixture = Fixtures.load "normalisation.json"
            let bytes = fixture.GetProperty "mnistSampleTrain"
            let s = Staging.statistics Computed sample.Value.Train
            Expect.equal (bytesOf sample.Value.Train).Length (Fixtures.int "count" bytes) "the same pixels"
            Expect.floatClose Accuracy.veryHigh s.Mean (Fixtures.float "mean" bytes) "bytes: mean"
            Expect.floatClose Accuracy.veryHigh s.Std (Fixtures.float "std" bytes) "bytes: std"
            let f = fixture.GetProperty "floats"
            let values = Fixtures.floats "values" f |> Array.map float32
            let split = { Features = Floats values; Labels = Array.zeroCreate (values.Length / 5) }
            let t = Staging.statistics Computed split
            Expect.floatClose Accuracy.veryHigh t.Mean (Fixtures.float "mean" f) "floats: mean"
            Expect.floatClose Accuracy.veryHigh t.Std (Fixtures.float "std" f) "floats: std"

        testCase "constant features cannot be standardised: the message names the std" <| fun () ->
            let split = { Features = Floats(Array.create 8 2.5f); Labels = [| 0; 1 |] }
            expectDataError [ "not all equal"; "std 0"; "mean 2.5" ] "constant" (fun () -> Staging.statistics Computed split) |> ignore

        testCase "bad given statistics" <| fun () ->
            let message = Thrown.messageOf<ArgumentException> (fun () -> Staging.statistics (Given(0.0, 0.0)) sample.Value.Test |> ignore)
            Expect.stringContains message "received mean 0, std 0" "names the values"
            Expect.throwsT<ArgumentException> (fun () -> Staging.statistics (Given(nan, 1.0)) sample.Value.Test |> ignore) "NaN mean"
    ]

let private staging =
    testList "staging as tensors" [
        for device in devices ->
          testCase (sprintf "paper normalisation, shapes, dtypes and batches (512) on %O" device.``type``) <| fun () ->
            let split = sample.Value.Train
            use staged = stageSample paper 512 device split
            Expect.sequenceEqual staged.Inputs.shape [| 7996L; 784L |] "inputs n × 784"
            Expect.equal staged.Inputs.dtype torch.float32 "float32 inputs"
            Expect.equal staged.Targets.dtype torch.int64 "int64 targets"
            Expect.equal staged.Inputs.device_type device.``type`` "inputs device"
            Expect.equal staged.Targets.device_type device.``type`` "targets device"
            Expect.equal staged.Batches.Length 16 "ceil(7996 / 512) batches"
            let sizes = staged.Batches |> Array.map (fun b -> int b.Inputs.shape.[0])
            Expect.sequenceEqual sizes (Array.append (Array.create 15 512) [| 7996 - 15 * 512 |]) "15 full batches and the last 316 kept"
            let targets = staged.Batches |> Array.collect (fun b -> Dtc.Runtime.Torch.toArray b.Targets)
            Expect.sequenceEqual targets (split.Labels |> Array.map float) "batched targets are the labels in order"
            let inputs = Dtc.Runtime.Torch.toArray staged.Inputs
            let zero = -0.1307 / 0.3081
            Expect.floatClose float32Accuracy inputs.[0] zero "pixel 0 → −0.1307/0.3081"
            let expected = bytesOf split |> Array.map (fun p -> (float p / 255.0 - 0.1307) / 0.3081)
            let worst = Array.map2 (fun a b -> abs (a - b)) inputs expected |> Array.max
            Expect.isLessThan worst 1e-5 "every pixel is (x/255 − 0.1307)/0.3081 in float32"
            let last = staged.Batches.[15]
            Expect.floatClose float32Accuracy (Dtc.Runtime.Torch.toArray last.Inputs).[0] expected.[15 * 512 * 784] "the last batch starts at sample 7680"

        yield testCase "given statistics stage bytes bit for bit as raw.to(float32).div_(255).sub_(mean).div_(std)" <| fun () ->
            let split = sample.Value.Test
            use staged = stageSample paper 512 torch.CPU split
            use _ = torch.NewDisposeScope()
            let raw = torch.tensor(bytesOf split, ReadOnlySpan<int64>([| int64 split.Count; 784L |]), dtype = torch.uint8)
            let expected = raw.``to``(torch.float32).div_(torch.tensor(255.0f)).sub_(torch.tensor(float32 0.1307)).div_(torch.tensor(float32 0.3081))
            Expect.isTrue (staged.Inputs.equal(expected).all().item<bool>()) "bit-identical"

        yield testCase "float features are staged as they are, then normalised, and the source array is untouched" <| fun () ->
            let d = floats.Value
            let values = match d.Train.Features with Floats x -> x | Bytes _ -> failwith "floats"
            let before = Array.copy values
            use raw = Staging.stage (Staging.statistics Off d.Train) 7 torch.CPU d.SampleShape d.Train
            Expect.sequenceEqual (Dtc.Runtime.Torch.toArray raw.Inputs) (values |> Array.map float) "Off: the floats themselves"
            use given = Staging.stage { Mean = 1.0; Std = 2.0 } 7 torch.CPU d.SampleShape d.Train
            let expected = values |> Array.map (fun v -> float ((v - 1.0f) / 2.0f))
            Expect.sequenceEqual (Dtc.Runtime.Torch.toArray given.Inputs) expected "(x − 1)/2 in float32"
            Expect.sequenceEqual values before "the data set's array is not modified"

        yield testCase "no normalisation scales to [0, 1]; batches of 1000 over 2,004 samples" <| fun () ->
            let split = sample.Value.Test
            use staged = stageSample (Staging.statistics Normalisation.none split) 1000 torch.CPU split
            Expect.sequenceEqual (staged.Batches |> Array.map (fun b -> int b.Targets.shape.[0])) [| 1000; 1000; 4 |] "batch sizes"
            let inputs = Dtc.Runtime.Torch.toArray staged.Inputs
            Expect.floatClose Accuracy.high (Array.min inputs) 0.0 "min 0"
            Expect.floatClose Accuracy.high (Array.max inputs) 1.0 "max 1"

        yield testCase "a batch viewed as n × 1 × 28 × 28 without a copy" <| fun () ->
            use staged = stageSample paper 512 torch.CPU sample.Value.Test
            use view = Staging.samples staged.SampleShape staged.Batches.[1].Inputs
            Expect.sequenceEqual view.shape [| 512L; 1L; 28L; 28L |] "n × C × H × W"
            view.[0L, 0L, 0L, 1L] <- torch.tensor 7.0f
            Expect.equal (staged.Inputs.[512L, 1L].item<float32>()) 7.0f "a write through the view shows in the staged inputs"

        yield testCase "batches are views of the staged tensors; batchAt cycles over epochs" <| fun () ->
            use staged = stageSample paper 512 torch.CPU sample.Value.Test
            let b = staged.Batches.[1]
            Expect.isFalse (b.Inputs.IsInvalid) "valid"
            b.Inputs.[0L, 0L] <- torch.tensor 42.0f
            Expect.floatClose Accuracy.high (staged.Inputs.[512L, 0L].item<float32>() |> float) 42.0 "a write through the batch shows in the staged inputs (a view)"
            Expect.isTrue (obj.ReferenceEquals(Staging.batchAt 0 staged, staged.Batches.[0])) "step 0"
            Expect.isTrue (obj.ReferenceEquals(Staging.batchAt staged.Batches.Length staged, staged.Batches.[0])) "the loader cycles"
            Expect.isTrue (obj.ReferenceEquals(Staging.batchAt (staged.Batches.Length + 2) staged, staged.Batches.[2])) "second epoch"

        yield testCase "the staged record owns its tensors: they survive an enclosing dispose scope and die with Dispose" <| fun () ->
            let staged =
                use _ = torch.NewDisposeScope()
                stageSample paper 100 torch.CPU sample.Value.Test
            Expect.isFalse staged.Inputs.IsInvalid "alive after the scope"
            Expect.isFalse staged.Batches.[3].Targets.IsInvalid "batches alive after the scope"
            (staged :> IDisposable).Dispose()
            Expect.isTrue staged.Inputs.IsInvalid "inputs disposed"
            Expect.isTrue staged.Batches.[3].Inputs.IsInvalid "batch views disposed"

        yield testCase "bad staging arguments" <| fun () ->
            Expect.throwsT<ArgumentException> (fun () -> stageSample paper 0 torch.CPU sample.Value.Test |> ignore) "batch size 0"
            Expect.throwsT<ArgumentException> (fun () -> stageSample { Mean = 0.0; Std = 0.0 } 10 torch.CPU sample.Value.Test |> ignore) "std 0"
            let message = Thrown.messageOf<ArgumentException> (fun () -> Staging.stage paper 10 torch.CPU [| 1; 28; 27 |] sample.Value.Test |> ignore)
            Expect.stringContains message "1 × 28 × 27" "names the shape"
    ]

let private steps =
    testList "Steps.stage" [
        testCase "records the class count, the sample shape and the computed statistics" <| fun () ->
            let d = floats.Value
            use staged = Dtc.Training.Steps.stage Computed 8 torch.CPU d
            Expect.equal staged.ClassCount 3 "3 classes"
            Expect.sequenceEqual staged.SampleShape [| 4 |] "shape"
            Expect.equal staged.Statistics (Staging.statistics Computed d.Train) "the training split's statistics"
            Expect.equal staged.Test.Statistics staged.Statistics "the test split uses the training statistics"

        testCase "the model's output width is the data's class count" <| fun () ->
            let d = floats.Value
            use staged = Dtc.Training.Steps.stage Computed 8 torch.CPU d
            let protocol = { Dtc.Training.Protocol.Protocol.paper with Hidden = [| 6 |]; BatchSize = 8; BatchesPerCycle = 2 }
            use first = Dtc.Training.CompressTrain.trainFirst { Dtc.Training.CompressTrain.RunOptions.defaults with Protocol = protocol } staged
            Expect.sequenceEqual first.Model.Widths [| 4; 6; 3 |] "4 inputs, 6 hidden units, 3 outputs"
            Expect.isLessThan (Dtc.Training.Model.trainingBytes protocol 4 3) (Dtc.Training.Model.trainingBytes protocol 4 10) "fewer outputs, fewer bytes"
    ]

[<Tests>]
let tests =
    testList "Data.Staging" [ normalisation; staging; steps ]
